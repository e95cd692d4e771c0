/*
 * config.json (OCI runtime-spec v1.3.0) -> struct oci_spec.
 *
 * The parser is table driven: every JSON object is described by a
 * struct objdesc, a list of fields with their JSON key, C type, offset and
 * checks.  One generic walker parses any object from its table, and one
 * generic walker frees it, so a field added to a table is parsed, checked and
 * freed without new code.  Checks that span several fields (soft <= hard,
 * duplicate namespaces, overlapping id maps) are small functions hooked into
 * the tables.
 *
 * The spec is built in place; on the first error the half-built spec is freed
 * by oci_spec_free(), so every allocation is stored in the spec at once.
 */
#include "oci/config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/resource.h>

#include "util/cleanup.h"
#include "util/util.h"

#define OCI_JSON_PATH_MAX 512
/* The kernel's limit on lines in uid_map / gid_map. */
#define OCI_MAX_ID_MAPPINGS 340
#define OCI_HOSTNAME_MAX    64

/* jansson.h provides json_decrefp() */
#define _cleanup_json_ __attribute__((cleanup(json_decrefp)))

/* ---- parse context: file name, error, current JSON path ---- */

struct pctx {
	const char *name;
	struct berth_error *err;
	size_t len;
	char path[OCI_JSON_PATH_MAX];
};

/* Fill the error with "name: .json.path: message" on one line. */
__attribute__((format(printf, 2, 3))) static int perr(struct pctx *c,
						      const char *fmt, ...)
{
	char msg[BERTH_ERROR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (char *p = msg; *p != '\0'; p++)
		if (iscntrl((unsigned char)*p))
			*p = '?';
	return berth_err_msg(c->err, EINVAL, "%s: %s: %s", c->name,
			     c->len > 0 ? c->path : ".", msg);
}

static int oom(struct pctx *c)
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
static size_t path_key(struct pctx *c, const char *key)
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

static size_t path_idx(struct pctx *c, size_t i)
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

/* ---- field tables ---- */

enum ftype {
	F_STR,	    /* char * */
	F_STRV,	    /* char ** */
	F_BOOL,	    /* bool */
	F_OPT_BOOL, /* struct oci_opt_bool */
	F_U32,	    /* uint32_t */
	F_U64,	    /* uint64_t */
	F_I64,	    /* int64_t */
	F_OPT_U16,  /* struct oci_opt_u64, 16-bit range */
	F_OPT_U32,  /* struct oci_opt_u64, 32-bit range */
	F_OPT_U64,  /* struct oci_opt_u64 */
	F_OPT_I64,  /* struct oci_opt_i64 */
	F_U32V,	    /* uint32_t * plus size_t count at n_off */
	F_ENUM,	    /* int, from a string in .names */
	F_OBJ,	    /* an embedded struct described by .desc */
	F_OBJP,	    /* a pointer to a struct described by .desc */
	F_ARRAY,    /* array of .desc structs plus size_t count at n_off */
	F_MAP,	    /* object of .desc structs, the key in their F_MAPKEY */
	F_KV,	    /* object of strings: struct oci_kv * plus count */
	F_MAPKEY,   /* char *: the key of a F_MAP entry (no JSON key) */
};

#define FL_REQ	    (1u << 0) /* missing or null is an error */
#define FL_ABS	    (1u << 1) /* F_STR, F_STRV: absolute paths */
#define FL_RANGE    (1u << 2) /* integers: .min <= v <= .max */
#define FL_NONEMPTY (1u << 3) /* F_STRV: at least one entry */
#define FL_NUM	    (1u << 4) /* F_STR with .names: int value at n_off */
#define FL_SET	    (1u << 5) /* F_OBJ: the struct starts with bool set */

/* F_ENUM stores through an int *. */
_Static_assert(sizeof(enum oci_ns_type) == sizeof(int), "enum size");
_Static_assert(sizeof(enum oci_seccomp_op) == sizeof(int), "enum size");
_Static_assert(sizeof(enum oci_seccomp_action) == sizeof(int), "enum size");

struct name_val {
	const char *name;
	int val;
};

struct pctx;
struct field;

struct objdesc {
	const struct field *fields;
	size_t n;
	size_t size; /* for F_OBJP, F_ARRAY, F_MAP */
	/* Checks across fields, after they were parsed; path: the object. */
	int (*check)(struct pctx *c, json_t *obj, void *out);
};

struct field {
	const char *key;
	enum ftype type;
	unsigned flags;
	size_t off;
	size_t n_off;
	const struct objdesc *desc;
	const struct name_val *names; /* allowed string values */
	const char *what;	      /* "namespace type" for errors */
	int64_t min, max;	      /* FL_RANGE */
	int (*each)(struct pctx *c, const char *s);
	/* Checks on the whole field once parsed; path: the field. */
	int (*post)(struct pctx *c, const struct field *f, void *base);
};

#define FLD(k, t, st, m, ...)                                                  \
	{                                                                      \
		.key = (k), .type = (t), .off = offsetof(st, m), __VA_ARGS__   \
	}
#define ARR(k, st, m, d, ...)                                                  \
	{                                                                      \
		.key = (k), .type = F_ARRAY, .off = offsetof(st, m),           \
		.n_off = offsetof(st, m##_n), .desc = &(d), __VA_ARGS__        \
	}
#define DESC(name, st, fl, chk)                                                \
	static const struct objdesc name = {(fl), ARRAY_SIZE(fl), sizeof(st),  \
					    (chk)}
#define RANGE(a, b) .flags = FL_RANGE, .min = (a), .max = (b)

static void *at(void *base, size_t off)
{
	return (char *)base + off;
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
	return perr(c, "unknown %s \"%s\"", f->what, s);
}

static int check_str(struct pctx *c, const struct field *f, const char *s,
		     int *ret_val)
{
	int r;

	if ((f->flags & FL_ABS) && s[0] != '/')
		return perr(c, "expected an absolute path, got \"%s\"", s);
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
		return perr(c, "expected a string");
	int r = check_str(c, f, json_string_value(v), &val);
	if (r < 0)
		return r;
	char *s = strdup(json_string_value(v));
	if (s == NULL)
		return oom(c);
	*(char **)p = s;
	if (f->flags & FL_NUM)
		*(int *)at(base, f->n_off) = val;
	return 0;
}

static int parse_enum(struct pctx *c, const struct field *f, json_t *v, void *p,
		      void *base)
{
	(void)base;
	int val = 0;

	if (!json_is_string(v))
		return perr(c, "expected a string");
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
		return perr(c, "expected a string");
	int r = check_str(c, f, json_string_value(v), &val);
	if (r < 0)
		return r;
	*ret = strdup(json_string_value(v));
	return *ret == NULL ? oom(c) : 0;
}

static int parse_strv(struct pctx *c, const struct field *f, json_t *v, void *p,
		      void *base)
{
	(void)base;
	if (!json_is_array(v))
		return perr(c, "expected an array of strings");
	size_t n = json_array_size(v);
	if (n == 0 && (f->flags & FL_NONEMPTY))
		return perr(c, "expected a non-empty array of strings");
	char **out = calloc(n + 1, sizeof(char *));
	if (out == NULL)
		return oom(c);
	*(char ***)p = out;
	for (size_t i = 0; i < n; i++) {
		size_t mark = path_idx(c, i);
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
		return perr(c, "expected a boolean");
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
		return perr(c, "expected %s", k->what);
	int64_t x = json_integer_value(v);
	if (x < k->min || x > k->max)
		return perr(c, "expected %s", k->what);
	*ret = x;
	return 0;
}

static int range_err(struct pctx *c, const struct field *f)
{
	if (f->max == INT64_MAX)
		return perr(c, "expected an integer >= %" PRId64, f->min);
	return perr(c, "expected an integer between %" PRId64 " and %" PRId64,
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
		return perr(c, "expected an array of unsigned 32-bit integers");
	size_t n = json_array_size(v);
	uint32_t *out = calloc(n > 0 ? n : 1, sizeof(*out));
	if (out == NULL)
		return oom(c);
	*(uint32_t **)p = out;
	*(size_t *)at(base, f->n_off) = n;
	for (size_t i = 0; i < n; i++) {
		int64_t x = 0;
		size_t mark = path_idx(c, i);
		int r = get_int(c, F_U32, json_array_get(v, i), &x);
		if (r < 0)
			return r;
		out[i] = (uint32_t)x;
		path_pop(c, mark);
	}
	return 0;
}

/* ---- object, array and map parsers ---- */

static int parse_obj(struct pctx *c, const struct objdesc *d, json_t *v,
		     void *out);

static int parse_objf(struct pctx *c, const struct field *f, json_t *v, void *p,
		      void *base)
{
	(void)base;
	int r = parse_obj(c, f->desc, v, p);
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
		return oom(c);
	*(void **)p = o;
	return parse_obj(c, f->desc, v, o);
}

/* Allocate @n structs of @d and store them (and @n) in the spec at once. */
static void *alloc_elems(struct pctx *c, const struct field *f, size_t n,
			 void *p, void *base)
{
	size_t size = f->type == F_KV ? sizeof(struct oci_kv) : f->desc->size;
	void *v = calloc(n > 0 ? n : 1, size);

	if (v == NULL) {
		oom(c);
		return NULL;
	}
	*(void **)p = v;
	*(size_t *)at(base, f->n_off) = n;
	return v;
}

static int parse_array(struct pctx *c, const struct field *f, json_t *v,
		       void *p, void *base)
{
	if (!json_is_array(v))
		return perr(c, "expected an array");
	size_t n = json_array_size(v);
	char *elems = alloc_elems(c, f, n, p, base);
	if (elems == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		size_t mark = path_idx(c, i);
		int r = parse_obj(c, f->desc, json_array_get(v, i),
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
		return oom(c);
	*(char **)at(elem, kf->off) = k;
	return parse_obj(c, d, v, elem);
}

static int parse_map(struct pctx *c, const struct field *f, json_t *v, void *p,
		     void *base)
{
	const char *key;
	json_t *val;
	size_t i = 0;

	if (!json_is_object(v))
		return perr(c, "expected an object");
	char *elems = alloc_elems(c, f, json_object_size(v), p, base);
	if (elems == NULL)
		return -ENOMEM;
	json_object_foreach(v, key, val)
	{
		size_t mark = path_key(c, key);
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
		return perr(c, "expected a string");
	kv->key = strdup(key);
	kv->value = strdup(json_string_value(v));
	return kv->key == NULL || kv->value == NULL ? oom(c) : 0;
}

static int parse_kv(struct pctx *c, const struct field *f, json_t *v, void *p,
		    void *base)
{
	const char *key;
	json_t *val;
	size_t i = 0;

	if (!json_is_object(v))
		return perr(c, "expected an object of strings");
	struct oci_kv *kv = alloc_elems(c, f, json_object_size(v), p, base);
	if (kv == NULL)
		return -ENOMEM;
	json_object_foreach(v, key, val)
	{
		size_t mark = path_key(c, key);
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
			   ? perr(c, "required field is missing")
			   : 0;
	int r = parsers[f->type](c, f, v, at(base, f->off), base);
	if (r == 0 && f->post != NULL)
		r = f->post(c, f, base);
	return r;
}

static int parse_obj(struct pctx *c, const struct objdesc *d, json_t *v,
		     void *out)
{
	if (!json_is_object(v))
		return perr(c, "expected an object");
	for (size_t i = 0; i < d->n; i++) {
		const struct field *f = &d->fields[i];
		if (f->key == NULL)
			continue;
		size_t mark = path_key(c, f->key);
		int r = parse_field(c, f, json_object_get(v, f->key), out);
		if (r < 0)
			return r;
		path_pop(c, mark);
	}
	return d->check != NULL ? d->check(c, v, out) : 0;
}

/* ---- freeing, driven by the same tables ---- */

static void free_obj(const struct objdesc *d, void *out);

static void free_elems(const struct field *f, void *v, size_t n)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		if (f->type == F_KV) {
			free(((struct oci_kv *)v)[i].key);
			free(((struct oci_kv *)v)[i].value);
		} else {
			free_obj(f->desc, at(v, i * f->desc->size));
		}
	}
	free(v);
}

static void free_field(const struct field *f, void *base)
{
	void *p = at(base, f->off);

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
		free_obj(f->desc, p);
		break;
	case F_OBJP:
		if (*(void **)p != NULL)
			free_obj(f->desc, *(void **)p);
		free(*(void **)p);
		break;
	case F_ARRAY:
	case F_MAP:
	case F_KV:
		free_elems(f, *(void **)p, *(size_t *)at(base, f->n_off));
		break;
	default:
		break;
	}
}

static void free_obj(const struct objdesc *d, void *out)
{
	for (size_t i = 0; i < d->n; i++)
		free_field(&d->fields[i], out);
}

/* ---- string checks ---- */

static int env_check(struct pctx *c, const char *s)
{
	if (strchr(s, '=') == NULL)
		return perr(c, "expected \"NAME=value\", got \"%s\"", s);
	return 0;
}

static int cap_check(struct pctx *c, const char *s)
{
	static const char upper[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";
	cap_value_t v;

	if (strncmp(s, "CAP_", 4) != 0 || strspn(s, upper) != strlen(s) ||
	    cap_from_name(s, &v) < 0)
		return perr(c,
			    "unknown capability \"%s\" (expected a name like "
			    "CAP_SYS_ADMIN)",
			    s);
	return 0;
}

static int arch_check(struct pctx *c, const char *s)
{
	if (strncmp(s, "SCMP_ARCH_", 10) != 0)
		return perr(c, "unknown seccomp architecture \"%s\"", s);
	return 0;
}

static int access_check(struct pctx *c, const char *s)
{
	if (strspn(s, "rwm") != strlen(s))
		return perr(c,
			    "expected a combination of r, w and m, got "
			    "\"%s\"",
			    s);
	return 0;
}

static int version_check(struct pctx *c, const char *s)
{
	char *end;
	unsigned long major;

	errno = 0;
	major = strtoul(s, &end, 10);
	if (!isdigit((unsigned char)s[0]) || *end != '.' || errno != 0)
		return perr(c, "malformed version \"%s\" (expected e.g. 1.3.0)",
			    s);
	if (major != 1)
		return perr(c,
			    "unsupported ociVersion \"%s\": berth supports "
			    "1.x",
			    s);
	return 0;
}

static int hostname_check(struct pctx *c, const char *s)
{
	if (strlen(s) > OCI_HOSTNAME_MAX)
		return perr(c, "longer than %d characters", OCI_HOSTNAME_MAX);
	return 0;
}

/* ---- cross-field checks ---- */

static int rlimit_check(struct pctx *c, json_t *obj, void *out)
{
	(void)obj;
	const struct oci_rlimit *rl = out;

	if (rl->soft > rl->hard)
		return perr(c,
			    "soft limit %" PRIu64
			    " is greater than hard limit %" PRIu64,
			    rl->soft, rl->hard);
	return 0;
}

static int rlimits_post(struct pctx *c, const struct field *f, void *base)
{
	(void)f;
	const struct oci_process *p = base;

	for (size_t i = 0; i < p->rlimits_n; i++) {
		for (size_t j = 0; j < i; j++) {
			if (p->rlimits[i].resource != p->rlimits[j].resource)
				continue;
			path_idx(c, i);
			path_key(c, "type");
			return perr(c, "duplicate rlimit \"%s\"",
				    p->rlimits[i].type);
		}
	}
	return 0;
}

static int idmap_check(struct pctx *c, json_t *obj, void *out)
{
	(void)obj;
	const struct oci_id_mapping *m = out;

	if (m->size == 0) {
		path_key(c, "size");
		return perr(c, "must be greater than 0");
	}
	if ((uint64_t)m->container_id + m->size > (uint64_t)UINT32_MAX + 1)
		return perr(c,
			    "containerID + size exceeds the 32-bit ID range");
	if ((uint64_t)m->host_id + m->size > (uint64_t)UINT32_MAX + 1)
		return perr(c, "hostID + size exceeds the 32-bit ID range");
	return 0;
}

static bool ranges_overlap(uint32_t a, uint32_t b, uint32_t size_a,
			   uint32_t size_b)
{
	return (uint64_t)a < (uint64_t)b + size_b &&
	       (uint64_t)b < (uint64_t)a + size_a;
}

static int idmaps_overlap(struct pctx *c, const struct oci_id_mapping *m,
			  size_t i, size_t j)
{
	const char *which = NULL;

	if (ranges_overlap(m[i].container_id, m[j].container_id, m[i].size,
			   m[j].size))
		which = "container";
	else if (ranges_overlap(m[i].host_id, m[j].host_id, m[i].size,
				m[j].size))
		which = "host";
	if (which == NULL)
		return 0;
	path_idx(c, i);
	return perr(c, "%s ID range overlaps entry %zu", which, j);
}

static int idmaps_post(struct pctx *c, const struct field *f, void *base)
{
	const struct oci_id_mapping *m = *(void **)at(base, f->off);
	size_t n = *(size_t *)at(base, f->n_off);

	if (n > OCI_MAX_ID_MAPPINGS)
		return perr(c, "%zu entries, the kernel allows at most %d", n,
			    OCI_MAX_ID_MAPPINGS);
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < i; j++) {
			int r = idmaps_overlap(c, m, i, j);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

static int ns_post(struct pctx *c, const struct field *f, void *base)
{
	(void)f;
	const struct oci_linux *l = base;
	bool seen[OCI_NS_COUNT] = {false};

	for (size_t i = 0; i < l->namespaces_n; i++) {
		enum oci_ns_type t = l->namespaces[i].type;
		if (seen[t]) {
			path_idx(c, i);
			path_key(c, "type");
			return perr(c, "duplicate namespace type \"%s\"",
				    oci_ns_type_name(t));
		}
		seen[t] = true;
	}
	return 0;
}

static int device_check(struct pctx *c, json_t *obj, void *out)
{
	const struct oci_device *d = out;

	if (strcmp(d->type, "p") == 0)
		return 0;
	if (!json_is_integer(json_object_get(obj, "major")))
		return perr(c, "major is required for device type \"%s\"",
			    d->type);
	if (!json_is_integer(json_object_get(obj, "minor")))
		return perr(c, "minor is required for device type \"%s\"",
			    d->type);
	return 0;
}

static int netdev_check(struct pctx *c, json_t *obj, void *out)
{
	(void)obj;
	struct oci_net_device *d = out;

	if (d->name != NULL)
		return 0;
	d->name = strdup(d->host_name);
	return d->name == NULL ? oom(c) : 0;
}

static int weight_device_check(struct pctx *c, json_t *obj, void *out)
{
	(void)obj;
	const struct oci_weight_device *w = out;

	if (!w->weight.set && !w->leaf_weight.set)
		return perr(c, "expected weight or leafWeight");
	return 0;
}

static int rdma_check(struct pctx *c, json_t *obj, void *out)
{
	(void)obj;
	const struct oci_rdma *r = out;

	if (!r->hca_handles.set && !r->hca_objects.set)
		return perr(c, "expected hcaHandles or hcaObjects");
	return 0;
}

/* runtime-spec: errnoRet with an action that returns no errno is an error. */
static int errno_ret_check(struct pctx *c, const char *key, int action,
			   bool errno_set)
{
	if (!errno_set || action == OCI_SCMP_ACT_ERRNO ||
	    action == OCI_SCMP_ACT_TRACE)
		return 0;
	path_key(c, key);
	return perr(c, "only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE");
}

static int syscall_check(struct pctx *c, json_t *obj, void *out)
{
	(void)obj;
	const struct oci_seccomp_syscall *s = out;

	return errno_ret_check(c, "errnoRet", (int)s->action, s->errno_ret.set);
}

static int seccomp_check(struct pctx *c, json_t *obj, void *out)
{
	(void)obj;
	const struct oci_seccomp *s = out;

	return errno_ret_check(c, "defaultErrnoRet", (int)s->default_action,
			       s->default_errno_ret.set);
}

static int time_offsets_check(struct pctx *c, json_t *obj, void *out)
{
	(void)out;
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v)
	{
		if (strcmp(key, "monotonic") == 0 ||
		    strcmp(key, "boottime") == 0)
			continue;
		path_key(c, key);
		return perr(c, "unknown clock (expected monotonic or "
			       "boottime)");
	}
	return 0;
}

/* ---- names ---- */

static const struct name_val ns_names[] = {
    {"pid", OCI_NS_PID},
    {"network", OCI_NS_NETWORK},
    {"mount", OCI_NS_MOUNT},
    {"ipc", OCI_NS_IPC},
    {"uts", OCI_NS_UTS},
    {"user", OCI_NS_USER},
    {"cgroup", OCI_NS_CGROUP},
    {"time", OCI_NS_TIME},
    {NULL, 0},
};

static const struct name_val rlimit_names[] = {
    {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_NPROC", RLIMIT_NPROC},
    {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
    {"RLIMIT_RTTIME", RLIMIT_RTTIME},
    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_STACK", RLIMIT_STACK},
    {NULL, 0},
};

/* Linux values (uapi linux/sched.h); SCHED_ISO is reserved as 4. */
static const struct name_val sched_policies[] = {
    {"SCHED_OTHER", 0},	   {"SCHED_FIFO", 1}, {"SCHED_RR", 2},
    {"SCHED_BATCH", 3},	   {"SCHED_ISO", 4},  {"SCHED_IDLE", 5},
    {"SCHED_DEADLINE", 6}, {NULL, 0},
};

static const struct name_val sched_flags[] = {
    {"SCHED_FLAG_RESET_ON_FORK", 0x01},	 {"SCHED_FLAG_RECLAIM", 0x02},
    {"SCHED_FLAG_DL_OVERRUN", 0x04},	 {"SCHED_FLAG_KEEP_POLICY", 0x08},
    {"SCHED_FLAG_KEEP_PARAMS", 0x10},	 {"SCHED_FLAG_UTIL_CLAMP_MIN", 0x20},
    {"SCHED_FLAG_UTIL_CLAMP_MAX", 0x40}, {NULL, 0},
};

static const struct name_val ioprio_classes[] = {
    {"IOPRIO_CLASS_RT", 1},
    {"IOPRIO_CLASS_BE", 2},
    {"IOPRIO_CLASS_IDLE", 3},
    {NULL, 0},
};

/* Kernel values (uapi linux/mempolicy.h). */
static const struct name_val mpol_modes[] = {
    {"MPOL_DEFAULT", 0},
    {"MPOL_PREFERRED", 1},
    {"MPOL_BIND", 2},
    {"MPOL_INTERLEAVE", 3},
    {"MPOL_LOCAL", 4},
    {"MPOL_PREFERRED_MANY", 5},
    {"MPOL_WEIGHTED_INTERLEAVE", 6},
    {NULL, 0},
};

static const struct name_val mpol_flags[] = {
    {"MPOL_F_NUMA_BALANCING", 1 << 13},
    {"MPOL_F_RELATIVE_NODES", 1 << 14},
    {"MPOL_F_STATIC_NODES", 1 << 15},
    {NULL, 0},
};

static const struct name_val propagations[] = {
    {"private", 0},    {"rprivate", 0},	   {"shared", 0},
    {"rshared", 0},    {"slave", 0},	   {"rslave", 0},
    {"unbindable", 0}, {"runbindable", 0}, {NULL, 0},
};

static const struct name_val device_types[] = {
    {"c", 0}, {"b", 0}, {"u", 0}, {"p", 0}, {NULL, 0},
};

static const struct name_val devcg_types[] = {
    {"a", 0},
    {"c", 0},
    {"b", 0},
    {NULL, 0},
};

static const struct name_val personality_domains[] = {
    {"LINUX", 0},
    {"LINUX32", 0},
    {NULL, 0},
};

static const struct name_val seccomp_actions[] = {
    {"SCMP_ACT_KILL", OCI_SCMP_ACT_KILL},
    {"SCMP_ACT_KILL_PROCESS", OCI_SCMP_ACT_KILL_PROCESS},
    {"SCMP_ACT_KILL_THREAD", OCI_SCMP_ACT_KILL_THREAD},
    {"SCMP_ACT_TRAP", OCI_SCMP_ACT_TRAP},
    {"SCMP_ACT_ERRNO", OCI_SCMP_ACT_ERRNO},
    {"SCMP_ACT_TRACE", OCI_SCMP_ACT_TRACE},
    {"SCMP_ACT_ALLOW", OCI_SCMP_ACT_ALLOW},
    {"SCMP_ACT_LOG", OCI_SCMP_ACT_LOG},
    {"SCMP_ACT_NOTIFY", OCI_SCMP_ACT_NOTIFY},
    {NULL, 0},
};

static const struct name_val seccomp_ops[] = {
    {"SCMP_CMP_NE", OCI_SCMP_CMP_NE},
    {"SCMP_CMP_LT", OCI_SCMP_CMP_LT},
    {"SCMP_CMP_LE", OCI_SCMP_CMP_LE},
    {"SCMP_CMP_EQ", OCI_SCMP_CMP_EQ},
    {"SCMP_CMP_GE", OCI_SCMP_CMP_GE},
    {"SCMP_CMP_GT", OCI_SCMP_CMP_GT},
    {"SCMP_CMP_MASKED_EQ", OCI_SCMP_CMP_MASKED_EQ},
    {NULL, 0},
};

static const struct name_val seccomp_flags[] = {
    {"SECCOMP_FILTER_FLAG_TSYNC", 0},
    {"SECCOMP_FILTER_FLAG_LOG", 0},
    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", 0},
    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", 0},
    {NULL, 0},
};

/* ---- process ---- */

static const struct field rlimit_fields[] = {
    FLD("type", F_STR, struct oci_rlimit, type, .flags = FL_REQ | FL_NUM,
	.n_off = offsetof(struct oci_rlimit, resource), .names = rlimit_names,
	.what = "rlimit type"),
    FLD("soft", F_U64, struct oci_rlimit, soft, .flags = FL_REQ),
    FLD("hard", F_U64, struct oci_rlimit, hard, .flags = FL_REQ),
};
DESC(rlimit_desc, struct oci_rlimit, rlimit_fields, rlimit_check);

#define CAPS(k, m) FLD(k, F_STRV, struct oci_capabilities, m, .each = cap_check)
static const struct field caps_fields[] = {
    CAPS("bounding", bounding),	      CAPS("effective", effective),
    CAPS("inheritable", inheritable), CAPS("permitted", permitted),
    CAPS("ambient", ambient),
};
DESC(caps_desc, struct oci_capabilities, caps_fields, NULL);

static const struct field user_fields[] = {
    FLD("uid", F_U32, struct oci_user, uid),
    FLD("gid", F_U32, struct oci_user, gid),
    FLD("umask", F_OPT_U32, struct oci_user, umask),
    FLD("additionalGids", F_U32V, struct oci_user, additional_gids,
	.n_off = offsetof(struct oci_user, additional_gids_n)),
    FLD("username", F_STR, struct oci_user, username),
};
DESC(user_desc, struct oci_user, user_fields, NULL);

/* Offsets inside process.console_size, an anonymous struct. */
#define CONSOLE(m)                                                             \
	(offsetof(struct oci_process, console_size.m) -                        \
	 offsetof(struct oci_process, console_size))
static const struct field console_fields[] = {
    {.key = "height", .type = F_U32, .flags = FL_REQ, .off = CONSOLE(height)},
    {.key = "width", .type = F_U32, .flags = FL_REQ, .off = CONSOLE(width)},
};
static const struct objdesc console_desc = {
    console_fields, ARRAY_SIZE(console_fields), 0, NULL};

static const struct field sched_fields[] = {
    FLD("policy", F_STR, struct oci_scheduler, policy, .flags = FL_REQ | FL_NUM,
	.n_off = offsetof(struct oci_scheduler, policy_num),
	.names = sched_policies, .what = "scheduler policy"),
    FLD("nice", F_OPT_I64, struct oci_scheduler, nice, RANGE(-20, 19)),
    FLD("priority", F_OPT_I64, struct oci_scheduler, priority,
	RANGE(INT32_MIN, INT32_MAX)),
    FLD("flags", F_STRV, struct oci_scheduler, flags, .names = sched_flags,
	.what = "scheduler flag"),
    FLD("runtime", F_OPT_U64, struct oci_scheduler, runtime),
    FLD("deadline", F_OPT_U64, struct oci_scheduler, deadline),
    FLD("period", F_OPT_U64, struct oci_scheduler, period),
};
DESC(sched_desc, struct oci_scheduler, sched_fields, NULL);

static const struct field ioprio_fields[] = {
    FLD("class", F_STR, struct oci_io_priority, class, .flags = FL_REQ | FL_NUM,
	.n_off = offsetof(struct oci_io_priority, class_num),
	.names = ioprio_classes, .what = "I/O priority class"),
    FLD("priority", F_I64, struct oci_io_priority, priority,
	.flags = FL_REQ | FL_RANGE, .min = 0, .max = 7),
};
DESC(ioprio_desc, struct oci_io_priority, ioprio_fields, NULL);

static const struct field affinity_fields[] = {
    FLD("initial", F_STR, struct oci_exec_cpu_affinity, initial),
    FLD("final", F_STR, struct oci_exec_cpu_affinity, final),
};
DESC(affinity_desc, struct oci_exec_cpu_affinity, affinity_fields, NULL);

#define PROC(k, t, m, ...) FLD(k, t, struct oci_process, m, __VA_ARGS__)
static const struct field process_fields[] = {
    PROC("terminal", F_BOOL, terminal),
    PROC("consoleSize", F_OBJ, console_size, .flags = FL_SET,
	 .desc = &console_desc),
    PROC("cwd", F_STR, cwd, .flags = FL_REQ | FL_ABS),
    PROC("env", F_STRV, env, .each = env_check),
    PROC("args", F_STRV, args, .flags = FL_REQ | FL_NONEMPTY),
    PROC("commandLine", F_STR, command_line),
    ARR("rlimits", struct oci_process, rlimits, rlimit_desc,
	.post = rlimits_post),
    PROC("apparmorProfile", F_STR, apparmor_profile),
    PROC("capabilities", F_OBJP, capabilities, .desc = &caps_desc),
    PROC("noNewPrivileges", F_BOOL, no_new_privileges),
    PROC("oomScoreAdj", F_OPT_I64, oom_score_adj, RANGE(-1000, 1000)),
    PROC("scheduler", F_OBJ, scheduler, .flags = FL_SET, .desc = &sched_desc),
    PROC("selinuxLabel", F_STR, selinux_label),
    PROC("ioPriority", F_OBJ, io_priority, .flags = FL_SET,
	 .desc = &ioprio_desc),
    PROC("execCPUAffinity", F_OBJ, exec_cpu_affinity, .desc = &affinity_desc),
    PROC("user", F_OBJ, user, .desc = &user_desc),
};
DESC(process_desc, struct oci_process, process_fields, NULL);

/* ---- root, mounts, hooks ---- */

static const struct field root_fields[] = {
    FLD("path", F_STR, struct oci_root, path, .flags = FL_REQ),
    FLD("readonly", F_BOOL, struct oci_root, readonly),
};
DESC(root_desc, struct oci_root, root_fields, NULL);

static const struct field idmap_fields[] = {
    FLD("containerID", F_U32, struct oci_id_mapping, container_id,
	.flags = FL_REQ),
    FLD("hostID", F_U32, struct oci_id_mapping, host_id, .flags = FL_REQ),
    FLD("size", F_U32, struct oci_id_mapping, size, .flags = FL_REQ),
};
DESC(idmap_desc, struct oci_id_mapping, idmap_fields, idmap_check);

static const struct field mount_fields[] = {
    FLD("destination", F_STR, struct oci_mount, destination, .flags = FL_REQ),
    FLD("source", F_STR, struct oci_mount, source),
    FLD("type", F_STR, struct oci_mount, type),
    FLD("options", F_STRV, struct oci_mount, options),
    ARR("uidMappings", struct oci_mount, uid_mappings, idmap_desc,
	.post = idmaps_post),
    ARR("gidMappings", struct oci_mount, gid_mappings, idmap_desc,
	.post = idmaps_post),
};
DESC(mount_desc, struct oci_mount, mount_fields, NULL);

static const struct field hook_fields[] = {
    FLD("path", F_STR, struct oci_hook, path, .flags = FL_REQ | FL_ABS),
    FLD("args", F_STRV, struct oci_hook, args),
    FLD("env", F_STRV, struct oci_hook, env, .each = env_check),
    FLD("timeout", F_OPT_I64, struct oci_hook, timeout, RANGE(1, INT64_MAX)),
};
DESC(hook_desc, struct oci_hook, hook_fields, NULL);

#define HOOKS(k, m)                                                            \
	{                                                                      \
		.key = (k), .type = F_ARRAY,                                   \
		.off = offsetof(struct oci_hooks, m.v),                        \
		.n_off = offsetof(struct oci_hooks, m.n), .desc = &hook_desc,  \
	}
static const struct field hooks_fields[] = {
    HOOKS("prestart", prestart),
    HOOKS("createRuntime", create_runtime),
    HOOKS("createContainer", create_container),
    HOOKS("startContainer", start_container),
    HOOKS("poststart", poststart),
    HOOKS("poststop", poststop),
};
DESC(hooks_desc, struct oci_hooks, hooks_fields, NULL);

/* ---- linux: namespaces, time, devices ---- */

static const struct field ns_fields[] = {
    FLD("type", F_ENUM, struct oci_namespace, type, .flags = FL_REQ,
	.names = ns_names, .what = "namespace type"),
    FLD("path", F_STR, struct oci_namespace, path, .flags = FL_ABS),
};
DESC(ns_desc, struct oci_namespace, ns_fields, NULL);

static const struct field time_offset_fields[] = {
    FLD("secs", F_I64, struct oci_time_offset, secs),
    FLD("nanosecs", F_U32, struct oci_time_offset, nanosecs,
	RANGE(0, 999999999)),
};
DESC(time_offset_desc, struct oci_time_offset, time_offset_fields, NULL);

/* Shares the base of struct oci_linux (time_offsets is anonymous). */
static const struct field time_offsets_fields[] = {
    FLD("monotonic", F_OBJ, struct oci_linux, time_offsets.monotonic,
	.flags = FL_SET, .desc = &time_offset_desc),
    FLD("boottime", F_OBJ, struct oci_linux, time_offsets.boottime,
	.flags = FL_SET, .desc = &time_offset_desc),
};
DESC(time_offsets_desc, struct oci_linux, time_offsets_fields,
     time_offsets_check);

static const struct field device_fields[] = {
    FLD("type", F_STR, struct oci_device, type, .flags = FL_REQ,
	.names = device_types, .what = "device type"),
    FLD("path", F_STR, struct oci_device, path, .flags = FL_REQ | FL_ABS),
    FLD("major", F_I64, struct oci_device, major),
    FLD("minor", F_I64, struct oci_device, minor),
    FLD("fileMode", F_OPT_U32, struct oci_device, file_mode),
    FLD("uid", F_OPT_U32, struct oci_device, uid),
    FLD("gid", F_OPT_U32, struct oci_device, gid),
};
DESC(device_desc, struct oci_device, device_fields, device_check);

static const struct field netdev_fields[] = {
    FLD(NULL, F_MAPKEY, struct oci_net_device, host_name),
    FLD("name", F_STR, struct oci_net_device, name),
};
DESC(netdev_desc, struct oci_net_device, netdev_fields, netdev_check);

/* ---- linux.resources ---- */

static const struct field devcg_fields[] = {
    FLD("allow", F_BOOL, struct oci_device_cgroup, allow, .flags = FL_REQ),
    FLD("type", F_STR, struct oci_device_cgroup, type, .names = devcg_types,
	.what = "device cgroup type"),
    FLD("major", F_OPT_I64, struct oci_device_cgroup, major),
    FLD("minor", F_OPT_I64, struct oci_device_cgroup, minor),
    FLD("access", F_STR, struct oci_device_cgroup, access,
	.each = access_check),
};
DESC(devcg_desc, struct oci_device_cgroup, devcg_fields, NULL);

/* memory, cpu, pids, blockIO and network are anonymous structs: their
 * tables share the base of struct oci_resources. */
#define RES(k, t, m, ...) FLD(k, t, struct oci_resources, m, __VA_ARGS__)
static const struct field memory_fields[] = {
    RES("limit", F_OPT_I64, memory.limit),
    RES("reservation", F_OPT_I64, memory.reservation),
    RES("swap", F_OPT_I64, memory.swap),
    RES("kernel", F_OPT_I64, memory.kernel),
    RES("kernelTCP", F_OPT_I64, memory.kernel_tcp),
    RES("swappiness", F_OPT_U64, memory.swappiness, RANGE(0, 100)),
    RES("disableOOMKiller", F_OPT_BOOL, memory.disable_oom_killer),
    RES("useHierarchy", F_OPT_BOOL, memory.use_hierarchy),
    RES("checkBeforeUpdate", F_OPT_BOOL, memory.check_before_update),
};
DESC(memory_desc, struct oci_resources, memory_fields, NULL);

static const struct field cpu_fields[] = {
    RES("shares", F_OPT_U64, cpu.shares),
    RES("quota", F_OPT_I64, cpu.quota),
    RES("burst", F_OPT_U64, cpu.burst),
    RES("period", F_OPT_U64, cpu.period),
    RES("realtimeRuntime", F_OPT_I64, cpu.realtime_runtime),
    RES("realtimePeriod", F_OPT_U64, cpu.realtime_period),
    RES("cpus", F_STR, cpu.cpus),
    RES("mems", F_STR, cpu.mems),
    RES("idle", F_OPT_I64, cpu.idle),
};
DESC(cpu_desc, struct oci_resources, cpu_fields, NULL);

static const struct field pids_fields[] = {
    RES("limit", F_OPT_I64, pids.limit),
};
DESC(pids_desc, struct oci_resources, pids_fields, NULL);

static const struct field weight_device_fields[] = {
    FLD("major", F_I64, struct oci_weight_device, major, .flags = FL_REQ),
    FLD("minor", F_I64, struct oci_weight_device, minor, .flags = FL_REQ),
    FLD("weight", F_OPT_U16, struct oci_weight_device, weight),
    FLD("leafWeight", F_OPT_U16, struct oci_weight_device, leaf_weight),
};
DESC(weight_device_desc, struct oci_weight_device, weight_device_fields,
     weight_device_check);

static const struct field throttle_fields[] = {
    FLD("major", F_I64, struct oci_throttle_device, major, .flags = FL_REQ),
    FLD("minor", F_I64, struct oci_throttle_device, minor, .flags = FL_REQ),
    FLD("rate", F_U64, struct oci_throttle_device, rate, .flags = FL_REQ),
};
DESC(throttle_desc, struct oci_throttle_device, throttle_fields, NULL);

static const struct field block_io_fields[] = {
    RES("weight", F_OPT_U16, block_io.weight),
    RES("leafWeight", F_OPT_U16, block_io.leaf_weight),
    ARR("weightDevice", struct oci_resources, block_io.weight_device,
	weight_device_desc),
    ARR("throttleReadBpsDevice", struct oci_resources,
	block_io.throttle_read_bps, throttle_desc),
    ARR("throttleWriteBpsDevice", struct oci_resources,
	block_io.throttle_write_bps, throttle_desc),
    ARR("throttleReadIOPSDevice", struct oci_resources,
	block_io.throttle_read_iops, throttle_desc),
    ARR("throttleWriteIOPSDevice", struct oci_resources,
	block_io.throttle_write_iops, throttle_desc),
};
DESC(block_io_desc, struct oci_resources, block_io_fields, NULL);

static const struct field hugepage_fields[] = {
    FLD("pageSize", F_STR, struct oci_hugepage_limit, page_size,
	.flags = FL_REQ),
    FLD("limit", F_U64, struct oci_hugepage_limit, limit, .flags = FL_REQ),
};
DESC(hugepage_desc, struct oci_hugepage_limit, hugepage_fields, NULL);

static const struct field net_prio_fields[] = {
    FLD("name", F_STR, struct oci_net_priority, name, .flags = FL_REQ),
    FLD("priority", F_U32, struct oci_net_priority, priority, .flags = FL_REQ),
};
DESC(net_prio_desc, struct oci_net_priority, net_prio_fields, NULL);

static const struct field network_fields[] = {
    RES("classID", F_OPT_U32, network.class_id),
    ARR("priorities", struct oci_resources, network.priorities, net_prio_desc),
};
DESC(network_desc, struct oci_resources, network_fields, NULL);

static const struct field rdma_fields[] = {
    FLD(NULL, F_MAPKEY, struct oci_rdma, device),
    FLD("hcaHandles", F_OPT_U32, struct oci_rdma, hca_handles),
    FLD("hcaObjects", F_OPT_U32, struct oci_rdma, hca_objects),
};
DESC(rdma_desc, struct oci_rdma, rdma_fields, rdma_check);

/* Sub-objects over anonymous structs sit at offset 0: same base. */
#define SUBOBJ(k, d)                                                           \
	{                                                                      \
		.key = (k), .type = F_OBJ, .off = 0, .desc = &(d)              \
	}
static const struct field resources_fields[] = {
    ARR("devices", struct oci_resources, devices, devcg_desc),
    SUBOBJ("memory", memory_desc),
    SUBOBJ("cpu", cpu_desc),
    SUBOBJ("pids", pids_desc),
    SUBOBJ("blockIO", block_io_desc),
    ARR("hugepageLimits", struct oci_resources, hugepage_limits, hugepage_desc),
    SUBOBJ("network", network_desc),
    {.key = "rdma",
     .type = F_MAP,
     .off = offsetof(struct oci_resources, rdma),
     .n_off = offsetof(struct oci_resources, rdma_n),
     .desc = &rdma_desc},
    {.key = "unified",
     .type = F_KV,
     .off = offsetof(struct oci_resources, unified),
     .n_off = offsetof(struct oci_resources, unified_n)},
};
DESC(resources_desc, struct oci_resources, resources_fields, NULL);

/* ---- linux: seccomp and the rest ---- */

static const struct field scmp_arg_fields[] = {
    FLD("index", F_U32, struct oci_seccomp_arg, index,
	.flags = FL_REQ | FL_RANGE, .min = 0, .max = 5),
    FLD("value", F_U64, struct oci_seccomp_arg, value, .flags = FL_REQ),
    FLD("valueTwo", F_U64, struct oci_seccomp_arg, value_two),
    FLD("op", F_ENUM, struct oci_seccomp_arg, op, .flags = FL_REQ,
	.names = seccomp_ops, .what = "seccomp operator"),
};
DESC(scmp_arg_desc, struct oci_seccomp_arg, scmp_arg_fields, NULL);

static const struct field syscall_fields[] = {
    FLD("names", F_STRV, struct oci_seccomp_syscall, names,
	.flags = FL_REQ | FL_NONEMPTY),
    FLD("action", F_ENUM, struct oci_seccomp_syscall, action, .flags = FL_REQ,
	.names = seccomp_actions, .what = "seccomp action"),
    FLD("errnoRet", F_OPT_U32, struct oci_seccomp_syscall, errno_ret),
    ARR("args", struct oci_seccomp_syscall, args, scmp_arg_desc),
};
DESC(syscall_desc, struct oci_seccomp_syscall, syscall_fields, syscall_check);

static const struct field seccomp_fields[] = {
    FLD("defaultAction", F_ENUM, struct oci_seccomp, default_action,
	.flags = FL_REQ, .names = seccomp_actions, .what = "seccomp action"),
    FLD("defaultErrnoRet", F_OPT_U32, struct oci_seccomp, default_errno_ret),
    FLD("architectures", F_STRV, struct oci_seccomp, architectures,
	.each = arch_check),
    FLD("flags", F_STRV, struct oci_seccomp, flags, .names = seccomp_flags,
	.what = "seccomp flag"),
    FLD("listenerPath", F_STR, struct oci_seccomp, listener_path),
    FLD("listenerMetadata", F_STR, struct oci_seccomp, listener_metadata),
    ARR("syscalls", struct oci_seccomp, syscalls, syscall_desc),
};
DESC(seccomp_desc, struct oci_seccomp, seccomp_fields, seccomp_check);

static const struct field personality_fields[] = {
    FLD("domain", F_STR, struct oci_personality, domain, .flags = FL_REQ,
	.names = personality_domains, .what = "personality domain"),
    FLD("flags", F_STRV, struct oci_personality, flags),
};
DESC(personality_desc, struct oci_personality, personality_fields, NULL);

static const struct field intel_rdt_fields[] = {
    FLD("closID", F_STR, struct oci_intel_rdt, clos_id),
    FLD("l3CacheSchema", F_STR, struct oci_intel_rdt, l3_cache_schema),
    FLD("memBwSchema", F_STR, struct oci_intel_rdt, mem_bw_schema),
    FLD("schemata", F_STRV, struct oci_intel_rdt, schemata),
    FLD("enableMonitoring", F_OPT_BOOL, struct oci_intel_rdt,
	enable_monitoring),
};
DESC(intel_rdt_desc, struct oci_intel_rdt, intel_rdt_fields, NULL);

static const struct field mpol_fields[] = {
    FLD("mode", F_STR, struct oci_memory_policy, mode, .flags = FL_REQ | FL_NUM,
	.n_off = offsetof(struct oci_memory_policy, mode_num),
	.names = mpol_modes, .what = "memory policy mode"),
    FLD("nodes", F_STR, struct oci_memory_policy, nodes),
    FLD("flags", F_STRV, struct oci_memory_policy, flags, .names = mpol_flags,
	.what = "memory policy flag"),
};
DESC(mpol_desc, struct oci_memory_policy, mpol_fields, NULL);

#define LNX(k, t, m, ...) FLD(k, t, struct oci_linux, m, __VA_ARGS__)
static const struct field linux_fields[] = {
    ARR("namespaces", struct oci_linux, namespaces, ns_desc, .post = ns_post),
    ARR("uidMappings", struct oci_linux, uid_mappings, idmap_desc,
	.post = idmaps_post),
    ARR("gidMappings", struct oci_linux, gid_mappings, idmap_desc,
	.post = idmaps_post),
    SUBOBJ("timeOffsets", time_offsets_desc),
    ARR("devices", struct oci_linux, devices, device_desc),
    {.key = "netDevices",
     .type = F_MAP,
     .off = offsetof(struct oci_linux, net_devices),
     .n_off = offsetof(struct oci_linux, net_devices_n),
     .desc = &netdev_desc},
    LNX("cgroupsPath", F_STR, cgroups_path),
    LNX("resources", F_OBJP, resources, .desc = &resources_desc),
    LNX("rootfsPropagation", F_STR, rootfs_propagation, .names = propagations,
	.what = "rootfs propagation"),
    LNX("seccomp", F_OBJP, seccomp, .desc = &seccomp_desc),
    {.key = "sysctl",
     .type = F_KV,
     .off = offsetof(struct oci_linux, sysctl),
     .n_off = offsetof(struct oci_linux, sysctl_n)},
    LNX("maskedPaths", F_STRV, masked_paths, .flags = FL_ABS),
    LNX("readonlyPaths", F_STRV, readonly_paths, .flags = FL_ABS),
    LNX("mountLabel", F_STR, mount_label),
    LNX("personality", F_OBJP, personality, .desc = &personality_desc),
    LNX("intelRdt", F_OBJP, intel_rdt, .desc = &intel_rdt_desc),
    LNX("memoryPolicy", F_OBJP, memory_policy, .desc = &mpol_desc),
};
DESC(linux_desc, struct oci_linux, linux_fields, NULL);

/* ---- the whole config ---- */

#define SPEC(k, t, m, ...) FLD(k, t, struct oci_spec, m, __VA_ARGS__)
static const struct field spec_fields[] = {
    SPEC("ociVersion", F_STR, oci_version, .flags = FL_REQ,
	 .each = version_check),
    SPEC("process", F_OBJP, process, .desc = &process_desc),
    SPEC("root", F_OBJ, root, .flags = FL_REQ, .desc = &root_desc),
    SPEC("hostname", F_STR, hostname, .each = hostname_check),
    SPEC("domainname", F_STR, domainname),
    ARR("mounts", struct oci_spec, mounts, mount_desc),
    SPEC("hooks", F_OBJ, hooks, .desc = &hooks_desc),
    {.key = "annotations",
     .type = F_KV,
     .off = offsetof(struct oci_spec, annotations),
     .n_off = offsetof(struct oci_spec, annotations_n)},
    SPEC("linux", F_OBJP, linux_, .desc = &linux_desc),
};
DESC(spec_desc, struct oci_spec, spec_fields, NULL);

/* ---- public API ---- */

static void oci_spec_freep(struct oci_spec **s)
{
	oci_spec_free(*s);
}

int oci_spec_parse(const char *json, size_t len, const char *name,
		   struct oci_spec **ret_spec, struct berth_error *err)
{
	json_error_t jerr;
	_cleanup_json_ json_t *root =
	    json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);

	if (root == NULL)
		return berth_err_msg(err, EINVAL,
				     "%s: invalid JSON at line %d, column %d: "
				     "%s",
				     name, jerr.line, jerr.column, jerr.text);
	if (!json_is_object(root))
		return berth_err_msg(err, EINVAL,
				     "%s: expected a JSON object at the top "
				     "level",
				     name);
	__attribute__((cleanup(oci_spec_freep))) struct oci_spec *spec =
	    calloc(1, sizeof(*spec));
	if (spec == NULL)
		return berth_err(err, ENOMEM, "%s: parse", name);
	struct pctx c = {.name = name, .err = err};
	int r = parse_obj(&c, &spec_desc, root, spec);
	if (r < 0)
		return r;
	*ret_spec = TAKE_PTR(spec);
	return 0;
}

int oci_spec_load_raw(const char *path, struct oci_spec **ret_spec,
		      char **ret_json, size_t *ret_len, struct berth_error *err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;

	int r = read_file_at(AT_FDCWD, path, &buf, &len);
	if (r < 0)
		return berth_err(err, -r, "open config.json '%s'", path);
	r = oci_spec_parse(buf, len, path, ret_spec, err);
	if (r < 0)
		return r;
	if (ret_json != NULL) {
		*ret_json = TAKE_PTR(buf);
		*ret_len = len;
	}
	return 0;
}

int oci_spec_load(const char *path, struct oci_spec **ret_spec,
		  struct berth_error *err)
{
	return oci_spec_load_raw(path, ret_spec, NULL, NULL, err);
}

void oci_spec_free(struct oci_spec *spec)
{
	if (spec == NULL)
		return;
	free_obj(&spec_desc, spec);
	free(spec);
}

const struct oci_namespace *oci_spec_namespace(const struct oci_spec *spec,
					       enum oci_ns_type type)
{
	if (spec == NULL || spec->linux_ == NULL)
		return NULL;
	for (size_t i = 0; i < spec->linux_->namespaces_n; i++)
		if (spec->linux_->namespaces[i].type == type)
			return &spec->linux_->namespaces[i];
	return NULL;
}

const char *oci_ns_type_name(enum oci_ns_type type)
{
	for (const struct name_val *n = ns_names; n->name != NULL; n++)
		if (n->val == (int)type)
			return n->name;
	return "unknown";
}
