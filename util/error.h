#pragma once
/*
 * The error struct every fallible berth function fills.
 *
 * It is plain (a fixed buffer, no pointers) so the container child can send
 * it to the parent with one write on a SOCK_SEQPACKET socket.
 */
#include <stdarg.h>
#include <stddef.h>

#define BERTH_ERROR_MAX 1024

struct berth_error {
	int code;		   /* positive errno, 0 when unset */
	char msg[BERTH_ERROR_MAX]; /* one human line: what, where, why */
};

/* The text for errno @code (its sign ignored) as Go, and so runc, writes
 * it: "no such file or directory", "permission denied".  Engines turn
 * runtime errors into exit codes by matching these lower-case words
 * (docker: 127 for "no such file or directory" and "executable file not
 * found", 126 for "permission denied"), so every errno text berth shows
 * comes from here.  Written into @buf, which is returned. */
const char *berth_strerror(int code, char *buf, size_t size);
/* berth_strerror into a buffer that lives until the end of the enclosing
 * block: for a printf argument. */
#define BERTH_STRERROR(code) berth_strerror((code), (char[128]){0}, 128)

/* Every message is one line: the functions below escape the control
 * characters of what they format (a newline in an ID, a hostname, a sysctl
 * key) as \n, \t, \r or \xNN.  berth_escape() does it for other text:
 * @src into @dst (@size bytes, NUL-terminated, cut at a whole escape);
 * returns the length written. */
size_t berth_escape(char *dst, size_t size, const char *src);

/* Fill @err with a formatted message and return -@code.  When @code is
 * non-zero, ": " and berth_strerror(code) are appended. */
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
