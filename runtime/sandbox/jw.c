/*
 * A small JSON writer for the sandbox's config: commas and string escapes
 * handled here, the text checked and laid out again by
 * oci_json_object_text() before anyone reads it.
 */
#include <errno.h>
#include <stdio.h>

#include "oci/json_text.h"
#include "runtime/sandbox/internal.h"

static void comma(struct jw *w)
{
	if (!w->first)
		jw_raw(w, ",");
	w->first = false;
}

void jw_raw(struct jw *w, const char *s)
{
	if (w->err == 0 && fputs(s, w->f) == EOF)
		w->err = -EIO;
}

void jw_str(struct jw *w, const char *s)
{
	comma(w);
	if (w->err == 0)
		w->err = oci_json_write_string(w->f, s);
}

void jw_key(struct jw *w, const char *k)
{
	jw_str(w, k);
	jw_raw(w, ":");
	w->first = true; /* the value needs no comma */
}

void jw_open(struct jw *w, const char *k, char bracket)
{
	if (k != NULL)
		jw_key(w, k);
	else
		comma(w);
	jw_raw(w, bracket == '[' ? "[" : "{");
	w->first = true;
}

void jw_close(struct jw *w, char bracket)
{
	jw_raw(w, bracket == ']' ? "]" : "}");
	w->first = false;
}

void jw_kstr(struct jw *w, const char *k, const char *v)
{
	jw_key(w, k);
	jw_str(w, v);
}

void jw_kint(struct jw *w, const char *k, long long v)
{
	jw_key(w, k);
	w->first = false;
	if (w->err == 0 && fprintf(w->f, "%lld", v) < 0)
		w->err = -EIO;
}

void jw_kbool(struct jw *w, const char *k, bool v)
{
	jw_key(w, k);
	w->first = false;
	jw_raw(w, v ? "true" : "false");
}

void jw_strv(struct jw *w, const char *k, const char *const *v)
{
	jw_open(w, k, '[');
	for (; v != NULL && *v != NULL; v++)
		jw_str(w, *v);
	jw_close(w, ']');
}
