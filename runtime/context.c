#include "runtime/context.h"

#include <stdarg.h>
#include <stdio.h>

void rt_log(const struct rt_context *ctx, enum rt_log_level level,
	    const char *fmt, ...)
{
	if (ctx == NULL || ctx->log == NULL)
		return;
	if (level == RT_LOG_DEBUG && !ctx->debug)
		return;
	char buf[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	ctx->log(ctx->log_data, level, buf);
}
