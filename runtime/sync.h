#pragma once
/*
 * Messages between berth and the container child on a
 * SOCK_SEQPACKET|SOCK_CLOEXEC pair: one message per send, so an error struct
 * crosses in one write.  EOF from the child after "ready" means it exec'd
 * (or died).
 */
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

enum sync_type {
	SYNC_ERROR = 1,	 /* child -> parent: struct berth_error */
	SYNC_ID_MAPS,	 /* child asks, parent answers: uid/gid maps written */
	SYNC_HOOKS,	 /* child -> parent: mounts done, run runtime hooks */
	SYNC_HOOKS_DONE, /* parent -> child: payload = state JSON */
	SYNC_PTY,	 /* child -> parent: the pty master (SCM_RIGHTS) */
	SYNC_READY,	 /* child -> parent: waiting for start */
	SYNC_START,	 /* parent -> child: exec now (run) */
	SYNC_PID,	 /* child -> parent: payload = pid of the real init */
	SYNC_SECCOMP, /* child -> parent: the seccomp listener (SCM_RIGHTS) */
	SYNC_CGROUP,  /* parent -> child: you are in the container's cgroup */
	SYNC_STEP,    /* child -> parent (--debug): payload = the step's name */
	SYNC_FILTER,  /* child -> parent: loading linux.seccomp now */
	SYNC_NETDEVS, /* child asks, parent answers: linux.netDevices moved */
};

#define SYNC_MAX_PAYLOAD (128 * 1024)

struct sync_msg {
	uint32_t type;
	uint32_t len; /* payload length */
	char payload[];
};

int sync_send(int fd, enum sync_type type, const void *payload, size_t len);
/* Receive one message into a malloc'd struct; *ret_fd receives an fd passed
 * along with it (or -1) when ret_fd is not NULL. Returns 0, -EPIPE on EOF. */
int sync_recv(int fd, struct sync_msg **ret_msg, int *ret_fd);
/* Receive and require @type; a SYNC_ERROR message is copied into @err. */
int sync_expect(int fd, enum sync_type type, struct sync_msg **ret_msg,
		struct berth_error *err);
int sync_send_error(int fd, const struct berth_error *err);
/* Receive a message of @type without payload, with no allocation: for
 * the child under its seccomp filter (a profile refusing brk or mmap
 * would crash malloc). */
int sync_expect_empty(int fd, enum sync_type type, struct berth_error *err);

/* Send a message of @type carrying @passfd (SCM_RIGHTS). */
int sync_send_fd(int fd, enum sync_type type, int passfd);

/* struct process_io's callbacks for a child that talks to berth over a sync
 * socket; @sync_fd points at that socket's fd. */
int sync_io_send_listener(void *sync_fd, int listener, struct berth_error *err);
/* Tell berth the seccomp filter goes on now: if the child dies silently
 * from here on (the profile blocking even the sendmsg of its error), berth
 * can say why. */
int sync_io_before_filter(void *sync_fd, struct berth_error *err);

/* A child of berth's, until it is ready: die with berth (PR_SET_PDEATHSIG
 * SIGKILL; call it again after each change of credentials, which clears
 * it), and exit at once if berth died before it was armed (@sync_fd hung
 * up). */
void sync_die_with_berth(int sync_fd);
