/*
 * The generic config.json walker: the JSON path kept for error messages,
 * one parser per field type, ocp_parse_obj over a table, and ocp_free_obj,
 * which releases whatever the same table describes.  The tables themselves live
 * in the section files (see oci/config_internal.h).
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oci/config_internal.h"
#include "util/cleanup.h"

/* Fill the error with "name: .json.path: message" on one line. */
__attribute__((format(printf, 2, 3))) int ocp_perr(struct pctx *c,
						   const char *fmt, ...)
{
	char msg[BERTH_ERROR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* berth_err_msg() escapes its control characters */
	return berth_err_msg(c->err, EINVAL, "%s: %s: %s", c->name,
			     c->len > 0 ? c->path : ".", msg);
}

int ocp_oom(struct pctx *c)
{
	return berth_err(c->err, ENOMEM, "%s: parse", c->name);
}

static void path_advance(struct pctx *c, int n)
{
	if (n < 0)
		return;
	c->len += (size_t)n;
	if (c->len >= sizeof(c->path))
		c->len = sizeof(c->path) - 1;
}

static bool is_ident(const char *s)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyz"
				 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";
	return s[0] != '\0' && strspn(s, ok) == strlen(s);
}

/* Append ".key" (or ["key"] when the key is not a plain identifier). */
size_t ocp_path_key(struct pctx *c, const char *key)
{
	size_t old = c->len;
	char *end = c->path + c->len;
	size_t room = sizeof(c->path) - c->len;

	if (is_ident(key))
		path_advance(c, snprintf(end, room, ".%s", key));
	else
		path_advance(c, snprintf(end, room, "[\"%s\"]", key));
	return old;
}

size_t ocp_path_idx(struct pctx *c, size_t i)
{
	size_t old = c->len;

	path_advance(c, snprintf(c->path + c->len, sizeof(c->path) - c->len,
				 "[%zu]", i));
	return old;
}

static void path_pop(struct pctx *c, size_t old)
{
	c->len = old;
	c->path[old] = '\0';
}

/* ---- scalar parsers ---- */

static int check_name(struct pctx *c, const struct field *f, const char *s,
		      int *ret_val)
{
	for (const struct name_val *n = f->names; n->name != NULL; n++) {
		if (strcmp(n->name, s) == 0) {
			*ret_val = n->val;
			return 0;
		}
	}
	return ocp_perr(c, "unknown %s \"%s\"", f->what, s);
}

static int check_str(struct pctx *c, const struct field *f, const char *s,
		     int *ret_val)
{
	int r;

	if ((f->flags & FL_ABS) && s[0] != '/')
		return ocp_perr(c, "expected an absolute path, got \"%s\"", s);
	if (f->names != NULL) {
		r = check_name(c, f, s, ret_val);
		if (r < 0)
			return r;
	}
	return f->each != NULL ? f->each(c, s) : 0;
}

static int parse_str(struct pctx *c, const struct field *f, json_t *v, void *p,
		     void *base)
{
	int val = 0;

	if (!json_is_string(v))
		return ocp_perr(c, "expected a string");
	int r = check_str(c, f, json_string_value(v), &val);
	if (r < 0)
		return r;
	char *s = strdup(json_string_value(v));
	if (s == NULL)
		return ocp_oom(c);
	*(char **)p = s;
	if (f->flags & FL_NUM)
		*(int *)ocp_at(base, f->n_off) = val;
	return 0;
}

static int parse_enum(struct pctx *c, const struct field *f, json_t *v, void *p,
		      void *base)
{
	(void)base;
	int val = 0;

	if (!json_is_string(v))
		return ocp_perr(c, "expected a string");
	int r = check_name(c, f, json_string_value(v), &val);
	if (r < 0)
		return r;
	*(int *)p = val;
	return 0;
}

static int strv_item(struct pctx *c, const struct field *f, json_t *v,
		     char **ret)
{
	int val;

	if (!json_is_string(v))
		return ocp_perr(c, "expected a string");
	int r = check_str(c, f, json_string_value(v), &val);
	if (r < 0)
		return r;
	*ret = strdup(json_string_value(v));
	return *ret == NULL ? ocp_oom(c) : 0;
}

static int parse_strv(struct pctx *c, const struct field *f, json_t *v, void *p,
		      void *base)
{
	(void)base;
	if (!json_is_array(v))
		return ocp_perr(c, "expected an array of strings");
	size_t n = json_array_size(v);
	if (n == 0 && (f->flags & FL_NONEMPTY))
		return ocp_perr(c, "expected a non-empty array of strings");
	char **out = calloc(n + 1, sizeof(char *));
	if (out == NULL)
		return ocp_oom(c);
	*(char ***)p = out;
	for (size_t i = 0; i < n; i++) {
		size_t mark = ocp_path_idx(c, i);
		int r = strv_item(c, f, json_array_get(v, i), &out[i]);
		if (r < 0)
			return r;
		path_pop(c, mark);
	}
	return 0;
}

static int parse_bool(struct pctx *c, const struct field *f, json_t *v, void *p,
		      void *base)
{
	(void)base;
	if (!json_is_boolean(v))
		return ocp_perr(c, "expected a boolean");
	if (f->type == F_OPT_BOOL)
		*(struct oci_opt_bool *)p =
		    (struct oci_opt_bool){true, json_is_true(v)};
	else
		*(bool *)p = json_is_true(v);
	return 0;
}

struct int_kind {
	int64_t min, max;
	const char *what;
};

static const struct int_kind int_kinds[] = {
    [F_U32] = {0, UINT32_MAX, "an unsigned 32-bit integer"},
    [F_U64] = {0, INT64_MAX, "an unsigned 64-bit integer"},
    [F_I64] = {INT64_MIN, INT64_MAX, "a 64-bit integer"},
    [F_OPT_U16] = {0, UINT16_MAX, "an unsigned 16-bit integer"},
    [F_OPT_U32] = {0, UINT32_MAX, "an unsigned 32-bit integer"},
    [F_OPT_U64] = {0, INT64_MAX, "an unsigned 64-bit integer"},
    [F_OPT_I64] = {INT64_MIN, INT64_MAX, "a 64-bit integer"},
};

static int get_int(struct pctx *c, enum ftype t, json_t *v, int64_t *ret)
{
	const struct int_kind *k = &int_kinds[t];

	if (!json_is_integer(v))
		return ocp_perr(c, "expected %s", k->what);
	int64_t x = json_integer_value(v);
	if (x < k->min || x > k->max)
		return ocp_perr(c, "expected %s", k->what);
	*ret = x;
	return 0;
}

static int range_err(struct pctx *c, const struct field *f)
{
	if (f->max == INT64_MAX)
		return ocp_perr(c, "expected an integer >= %" PRId64, f->min);
	return ocp_perr(c,
			"expected an integer between %" PRId64 " and %" PRId64,
			f->min, f->max);
}

static void store_int(enum ftype t, void *p, int64_t x)
{
	switch (t) {
	case F_U32:
		*(uint32_t *)p = (uint32_t)x;
		break;
	case F_U64:
		*(uint64_t *)p = (uint64_t)x;
		break;
	case F_I64:
		*(int64_t *)p = x;
		break;
	case F_OPT_I64:
		*(struct oci_opt_i64 *)p = (struct oci_opt_i64){true, x};
		break;
	default: /* F_OPT_U16, F_OPT_U32, F_OPT_U64 */
		*(struct oci_opt_u64 *)p =
		    (struct oci_opt_u64){true, (uint64_t)x};
		break;
	}
}

static int parse_int(struct pctx *c, const struct field *f, json_t *v, void *p,
		     void *base)
{
	(void)base;
	int64_t x = 0;

	int r = get_int(c, f->type, v, &x);
	if (r < 0)
		return r;
	if ((f->flags & FL_RANGE) && (x < f->min || x > f->max))
		return range_err(c, f);
	store_int(f->type, p, x);
	return 0;
}

static int parse_u32v(struct pctx *c, const struct field *f, json_t *v, void *p,
		      void *base)
{
	if (!json_is_array(v))
		return ocp_perr(
		    c, "expected an array of unsigned 32-bit integers");
	size_t n = json_array_size(v);
	uint32_t *out = calloc(n > 0 ? n : 1, sizeof(*out));
	if (out == NULL)
		return ocp_oom(c);
	*(uint32_t **)p = out;
	*(size_t *)ocp_at(base, f->n_off) = n;
	for (size_t i = 0; i < n; i++) {
		int64_t x = 0;
		size_t mark = ocp_path_idx(c, i);
		int r = get_int(c, F_U32, json_array_get(v, i), &x);
		if (r < 0)
			return r;
		out[i] = (uint32_t)x;
		path_pop(c, mark);
	}
	return 0;
}

/* ---- object, array and map parsers ---- */

static int parse_objf(struct pctx *c, const struct field *f, json_t *v, void *p,
		      void *base)
{
	(void)base;
	int r = ocp_parse_obj(c, f->desc, v, p);
	if (r == 0 && (f->flags & FL_SET))
		*(bool *)p = true;
	return r;
}

static int parse_objp(struct pctx *c, const struct field *f, json_t *v, void *p,
		      void *base)
{
	(void)base;
	void *o = calloc(1, f->desc->size);
	if (o == NULL)
		return ocp_oom(c);
	*(void **)p = o;
	return ocp_parse_obj(c, f->desc, v, o);
}

/* Allocate @n structs of @d and store them (and @n) in the spec at once. */
static void *alloc_elems(struct pctx *c, const struct field *f, size_t n,
			 void *p, void *base)
{
	size_t size = f->type == F_KV ? sizeof(struct oci_kv) : f->desc->size;
	void *v = calloc(n > 0 ? n : 1, size);

	if (v == NULL) {
		ocp_oom(c);
		return NULL;
	}
	*(void **)p = v;
	*(size_t *)ocp_at(base, f->n_off) = n;
	return v;
}

static int parse_array(struct pctx *c, const struct field *f, json_t *v,
		       void *p, void *base)
{
	if (!json_is_array(v))
		return ocp_perr(c, "expected an array");
	size_t n = json_array_size(v);
	char *elems = alloc_elems(c, f, n, p, base);
	if (elems == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		size_t mark = ocp_path_idx(c, i);
		int r = ocp_parse_obj(c, f->desc, json_array_get(v, i),
				      elems + i * f->desc->size);
		if (r < 0)
			return r;
		path_pop(c, mark);
	}
	return 0;
}

static const struct field *mapkey_field(const struct objdesc *d)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->fields[i].type == F_MAPKEY)
			return &d->fields[i];
	return NULL;
}

static int map_entry(struct pctx *c, const struct objdesc *d, const char *key,
		     json_t *v, void *elem)
{
	const struct field *kf = mapkey_field(d);
	char *k = strdup(key);

	if (k == NULL)
		return ocp_oom(c);
	*(char **)ocp_at(elem, kf->off) = k;
	return ocp_parse_obj(c, d, v, elem);
}

static int parse_map(struct pctx *c, const struct field *f, json_t *v, void *p,
		     void *base)
{
	const char *key;
	json_t *val;
	size_t i = 0;

	if (!json_is_object(v))
		return ocp_perr(c, "expected an object");
	char *elems = alloc_elems(c, f, json_object_size(v), p, base);
	if (elems == NULL)
		return -ENOMEM;
	json_object_foreach(v, key, val)
	{
		size_t mark = ocp_path_key(c, key);
		int r = map_entry(c, f->desc, key, val,
				  elems + i++ * f->desc->size);
		if (r < 0)
			return r;
		path_pop(c, mark);
	}
	return 0;
}

static int kv_entry(struct pctx *c, const char *key, json_t *v,
		    struct oci_kv *kv)
{
	if (!json_is_string(v))
		return ocp_perr(c, "expected a string");
	kv->key = strdup(key);
	kv->value = strdup(json_string_value(v));
	return kv->key == NULL || kv->value == NULL ? ocp_oom(c) : 0;
}

static int parse_kv(struct pctx *c, const struct field *f, json_t *v, void *p,
		    void *base)
{
	const char *key;
	json_t *val;
	size_t i = 0;

	if (!json_is_object(v))
		return ocp_perr(c, "expected an object of strings");
	struct oci_kv *kv = alloc_elems(c, f, json_object_size(v), p, base);
	if (kv == NULL)
		return -ENOMEM;
	json_object_foreach(v, key, val)
	{
		size_t mark = ocp_path_key(c, key);
		int r = kv_entry(c, key, val, &kv[i++]);
		if (r < 0)
			return r;
		path_pop(c, mark);
	}
	return 0;
}

typedef int (*field_parser)(struct pctx *c, const struct field *f, json_t *v,
			    void *p, void *base);

static const field_parser parsers[] = {
    [F_STR] = parse_str,       [F_STRV] = parse_strv,	[F_BOOL] = parse_bool,
    [F_OPT_BOOL] = parse_bool, [F_U32] = parse_int,	[F_U64] = parse_int,
    [F_I64] = parse_int,       [F_OPT_U16] = parse_int, [F_OPT_U32] = parse_int,
    [F_OPT_U64] = parse_int,   [F_OPT_I64] = parse_int, [F_U32V] = parse_u32v,
    [F_ENUM] = parse_enum,     [F_OBJ] = parse_objf,	[F_OBJP] = parse_objp,
    [F_ARRAY] = parse_array,   [F_MAP] = parse_map,	[F_KV] = parse_kv,
};

static int parse_field(struct pctx *c, const struct field *f, json_t *v,
		       void *base)
{
	if (v == NULL || json_is_null(v))
		return (f->flags & FL_REQ)
			   ? ocp_perr(c, "required field is missing")
			   : 0;
	int r = parsers[f->type](c, f, v, ocp_at(base, f->off), base);
	if (r == 0 && f->post != NULL)
		r = f->post(c, f, base);
	return r;
}

int ocp_parse_obj(struct pctx *c, const struct objdesc *d, json_t *v, void *out)
{
	if (!json_is_object(v))
		return ocp_perr(c, "expected an object");
	for (size_t i = 0; i < d->n; i++) {
		const struct field *f = &d->fields[i];
		if (f->key == NULL)
			continue;
		size_t mark = ocp_path_key(c, f->key);
		int r = parse_field(c, f, json_object_get(v, f->key), out);
		if (r < 0)
			return r;
		path_pop(c, mark);
	}
	return d->check != NULL ? d->check(c, v, out) : 0;
}

/* ---- freeing, driven by the same tables ---- */

static void free_elems(const struct field *f, void *v, size_t n)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		if (f->type == F_KV) {
			free(((struct oci_kv *)v)[i].key);
			free(((struct oci_kv *)v)[i].value);
		} else {
			ocp_free_obj(f->desc, ocp_at(v, i * f->desc->size));
		}
	}
	free(v);
}

static void free_field(const struct field *f, void *base)
{
	void *p = ocp_at(base, f->off);

	switch (f->type) {
	case F_STR:
	case F_MAPKEY:
	case F_U32V:
		free(*(void **)p);
		break;
	case F_STRV:
		strv_free(*(char ***)p);
		break;
	case F_OBJ:
		ocp_free_obj(f->desc, p);
		break;
	case F_OBJP:
		if (*(void **)p != NULL)
			ocp_free_obj(f->desc, *(void **)p);
		free(*(void **)p);
		break;
	case F_ARRAY:
	case F_MAP:
	case F_KV:
		free_elems(f, *(void **)p, *(size_t *)ocp_at(base, f->n_off));
		break;
	default:
		break;
	}
}

void ocp_free_obj(const struct objdesc *d, void *out)
{
	for (size_t i = 0; i < d->n; i++)
		free_field(&d->fields[i], out);
}
