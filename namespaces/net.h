#pragma once
/*
 * The network namespace's own setup: a new network namespace starts with
 * its loopback device down; runc and crun bring it up, and so does berth.
 * And linux.netDevices: host interfaces moved into the container's network
 * namespace (runtime-spec 1.3, "Network Devices").
 *
 * Netlink (rtnetlink through libmnl) stays inside net.c: no libmnl type in
 * this header.
 */
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "oci/config.h"
#include "util/error.h"

/* In the calling process's network namespace: set IFF_UP on "lo" with one
 * RTM_NEWLINK and wait for the kernel's ack.  Needs CAP_NET_ADMIN in the
 * user namespace that owns the network namespace. */
int ns_loopback_up(struct berth_error *err);

/* A name the kernel takes for an interface (its dev_valid_name): 1 to 15
 * bytes, not "." or "..", no '/', ':' or white space; with @template one
 * "%d" that the kernel replaces with a number. */
bool ns_ifname_valid(const char *name, bool template);

/* Before anything is created: each host interface exists in berth's
 * network namespace, and @join_fd (the network namespace to join, or -1)
 * is not berth's own. */
int ns_netdevs_check(const struct oci_net_device *d, size_t n, int join_fd,
		     struct berth_error *err);

/* Move each device from berth's network namespace into that of @pid,
 * renamed to ->name (in one RTM_NEWLINK, so no name clash in between),
 * with its permanent addresses of global scope (the kernel drops them on
 * the move) and set up, as the spec asks.  Errors name the interface.
 * Nothing moves them back: see docs/compatibility.md. */
int ns_netdevs_move(const struct oci_net_device *d, size_t n, pid_t pid,
		    struct berth_error *err);
