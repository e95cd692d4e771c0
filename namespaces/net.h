#pragma once
/*
 * The network namespace's own setup: a new network namespace starts with
 * its loopback device down; runc and crun bring it up, and so does berth.
 *
 * Netlink (rtnetlink through libmnl) stays inside net.c: no libmnl type in
 * this header.
 */
#include "util/error.h"

/* In the calling process's network namespace: set IFF_UP on "lo" with one
 * RTM_NEWLINK and wait for the kernel's ack.  Needs CAP_NET_ADMIN in the
 * user namespace that owns the network namespace. */
int ns_loopback_up(struct berth_error *err);
