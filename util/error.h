#pragma once
/*
 * The error struct every fallible berth function fills.
 *
 * It is plain (a fixed buffer, no pointers) so the container child can send
 * it to the parent with one write on a SOCK_SEQPACKET socket.
 */
#include <stdarg.h>

#define BERTH_ERROR_MAX 1024

struct berth_error {
	int code;		   /* positive errno, 0 when unset */
	char msg[BERTH_ERROR_MAX]; /* one human line: what, where, why */
};

/* Fill @err with a formatted message and return -@code.  When @code is
 * non-zero, ": strerror(code)" is appended. */
int berth_err(struct berth_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Fill @err like berth_err() but do not append strerror: the message says
 * all.  Returns -@code. */
int berth_err_msg(struct berth_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prepend "context: " to the message already in @err as it climbs up. Returns
 * -err->code (or -EIO if the code was unset). */
int berth_err_ctx(struct berth_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Append " (note)" to the message already in @err: why a failure may have
 * happened.  Returns -err->code (or -EIO if the code was unset). */
int berth_err_note(struct berth_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

void berth_err_clear(struct berth_error *err);
