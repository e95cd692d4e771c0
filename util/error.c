#include "util/error.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

const char *berth_strerror(int code, char *buf, size_t size)
{
	if (code < 0)
		code = -code;
	if (size == 0)
		return "";
	char tmp[128];
	const char *s = strerror_r(code, tmp, sizeof(tmp));
	/* Go says "errno 999" where glibc says "Unknown error 999". */
	if (strncmp(s, "Unknown error", 13) == 0)
		snprintf(buf, size, "errno %d", code);
	else
		snprintf(buf, size, "%s", s);
	/* Go's table is glibc's with the first letter lowered unless the
	 * word is an acronym ("RPC version wrong" stays). */
	if (isupper((unsigned char)buf[0]) && islower((unsigned char)buf[1]))
		buf[0] = (char)tolower((unsigned char)buf[0]);
	return buf;
}

size_t berth_escape(char *dst, size_t size, const char *src)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;
	if (size == 0)
		return 0;
	for (const unsigned char *p = (const unsigned char *)src; *p; p++) {
		char e[5] = {(char)*p, 0};
		if (*p == '\n' || *p == '\t' || *p == '\r') {
			e[0] = '\\';
			e[1] = *p == '\n' ? 'n' : *p == '\t' ? 't' : 'r';
		} else if (*p < 0x20 || *p == 0x7f) {
			e[0] = '\\';
			e[1] = 'x';
			e[2] = hex[*p >> 4];
			e[3] = hex[*p & 15];
		}
		size_t l = strlen(e);
		if (n + l >= size)
			break;
		memcpy(dst + n, e, l);
		n += l;
	}
	dst[n] = '\0';
	return n;
}

/* vsnprintf, then every control character escaped: one line. */
static int format_line(char *dst, size_t size, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
static int format_line(char *dst, size_t size, const char *fmt, va_list ap)
{
	char raw[BERTH_ERROR_MAX];
	int n = vsnprintf(raw, sizeof(raw), fmt, ap);
	if (n < 0)
		return n;
	return (int)berth_escape(dst, size, raw);
}

static int fill(struct berth_error *err, int code, int with_errno,
		const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));
static int fill(struct berth_error *err, int code, int with_errno,
		const char *fmt, va_list ap)
{
	if (code < 0)
		code = -code;
	if (code == 0)
		code = EIO;
	if (err == NULL)
		return -code;
	err->code = code;
	int n = format_line(err->msg, sizeof(err->msg), fmt, ap);
	if (with_errno && n >= 0 && (size_t)n < sizeof(err->msg)) {
		char text[128];
		snprintf(err->msg + n, sizeof(err->msg) - (size_t)n, ": %s",
			 berth_strerror(code, text, sizeof(text)));
	}
	return -code;
}

int berth_err(struct berth_error *err, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = fill(err, code, 1, fmt, ap);
	va_end(ap);
	return r;
}

int berth_err_msg(struct berth_error *err, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = fill(err, code, 0, fmt, ap);
	va_end(ap);
	return r;
}

int berth_err_ctx(struct berth_error *err, const char *fmt, ...)
{
	if (err == NULL)
		return -EIO;
	if (err->code == 0)
		err->code = EIO;
	char prefix[BERTH_ERROR_MAX];
	va_list ap;
	va_start(ap, fmt);
	format_line(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	/* Build the whole line, then cut it to the struct's size. */
	char line[2 * BERTH_ERROR_MAX + 2];
	size_t pl = strnlen(prefix, BERTH_ERROR_MAX - 1);
	size_t ol = strnlen(err->msg, BERTH_ERROR_MAX - 1);
	memcpy(line, prefix, pl);
	memcpy(line + pl, ": ", 2);
	memcpy(line + pl + 2, err->msg, ol);
	size_t n = pl + 2 + ol;
	if (n >= sizeof(err->msg))
		n = sizeof(err->msg) - 1;
	memcpy(err->msg, line, n);
	err->msg[n] = '\0';
	return -err->code;
}

int berth_err_note(struct berth_error *err, const char *fmt, ...)
{
	if (err == NULL)
		return -EIO;
	if (err->code == 0)
		err->code = EIO;
	size_t ol = strnlen(err->msg, BERTH_ERROR_MAX - 1);
	char note[BERTH_ERROR_MAX];
	va_list ap;
	va_start(ap, fmt);
	format_line(note, sizeof(note), fmt, ap);
	va_end(ap);
	size_t nl = strnlen(note, BERTH_ERROR_MAX - 1);
	char line[2 * BERTH_ERROR_MAX + 4];
	memcpy(line, err->msg, ol);
	memcpy(line + ol, " (", 2);
	memcpy(line + ol + 2, note, nl);
	memcpy(line + ol + 2 + nl, ")", 1);
	size_t n = ol + 3 + nl;
	if (n >= sizeof(err->msg))
		n = sizeof(err->msg) - 1;
	memcpy(err->msg, line, n);
	err->msg[n] = '\0';
	return -err->code;
}

void berth_err_clear(struct berth_error *err)
{
	if (err == NULL)
		return;
	err->code = 0;
	err->msg[0] = '\0';
}
