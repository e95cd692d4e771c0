#pragma once
/*
 * /dev inside the container (the body of mounts_create_devices and
 * mounts_bind_console).  As runc: unless /dev is a bind mount, the default
 * devices (null zero full random urandom tty), /dev/ptmx -> pts/ptmx, the
 * /dev/fd, stdin, stdout, stderr (and /dev/core when the host has
 * /proc/kcore) links, an empty /dev/console when process.terminal, then
 * linux.devices (an entry at the path of a default device replaces it).
 * In a user namespace, where mknod(2) is refused, the host's node of the
 * same path is bind-mounted onto an empty file instead.
 */
#include "runtime/rootfs/mounts.h"
#include "util/error.h"

int devices_create(struct mounts_plan *plan, struct berth_error *err);
/* Parent, before clone, in a user namespace (runtime/rootfs/host.h): the
 * host's node of every device to bind, checked and cloned into
 * plan->dev_fds.  Errors read "devices: device /dev/tty: open host ...". */
int devices_plan_host(struct mounts_plan *plan, struct berth_error *err);
int devices_bind_console(struct mounts_plan *plan, int pty_slave_fd,
			 struct berth_error *err);
