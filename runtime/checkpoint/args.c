/* The criu command-line pieces checkpoint and restore share. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/checkpoint/args.h"
#include "util/cleanup.h"
#include "util/util.h"

int ckpt_args_push(char ***argv, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = NULL;
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	int r = strv_push(argv, s);
	free(s);
	return r;
}

static int push_if(char ***argv, bool on, const char *flag)
{
	return on ? strv_push(argv, flag) : 0;
}

int ckpt_args_common(char ***argv, const struct rt_criu_opts *o,
		     const char *images, const char *work, const char *log)
{
	int r = ckpt_args_push(argv, "--images-dir=%s", images);
	if (r == 0)
		r = ckpt_args_push(argv, "--work-dir=%s", work);
	if (r == 0)
		r = ckpt_args_push(argv, "--log-file=%s", log);
	if (r == 0)
		r = strv_push(argv, "-v4");
	if (r == 0)
		r = ckpt_args_push(
		    argv, "--manage-cgroups=%s",
		    o->manage_cgroups_mode ? o->manage_cgroups_mode : "soft");
	if (r == 0)
		r = push_if(argv, o->tcp_established, "--tcp-established");
	if (r == 0)
		r = push_if(argv, o->ext_unix_sk, "--ext-unix-sk");
	if (r == 0)
		r = push_if(argv, o->shell_job, "--shell-job");
	if (r == 0)
		r = push_if(argv, o->file_locks, "--file-locks");
	if (r == 0)
		r = push_if(argv, o->auto_dedup, "--auto-dedup");
	for (size_t i = 0; r == 0 && o->empty_ns && o->empty_ns[i]; i++)
		r = ckpt_args_push(argv, "--empty-ns=%s",
				   strcmp(o->empty_ns[i], "network") == 0
				       ? "net"
				       : o->empty_ns[i]);
	return r;
}
