#pragma once
/*
 * config.json (OCI runtime-spec v1.3.0) -> struct oci_spec: what the parser's
 * files share.  Only oci/config*.c include this header.
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
 *
 * The tables follow the runtime-spec's sections:
 *   config_parse.c      the walker: JSON path, errors, one parser per field
 *                       type, ocp_parse_obj and ocp_free_obj
 *   config_process.c    process
 *   config_mounts.c     root and mounts
 *   config_hooks.c      hooks
 *   config_linux.c      linux, except resources; the id mapping table
 *   config_resources.c  linux.resources
 *   config.c            the top-level table and the public entry points
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oci/config.h"
#include "oci/jansson.h"
#include "util/cleanup.h"

#define OCI_JSON_PATH_MAX 512

/* jansson.h provides json_decrefp() */
#define _cleanup_json_ __attribute__((cleanup(json_decrefp)))

/* ---- parse context: file name, error, current JSON path ---- */

struct pctx {
	const char *name;
	struct berth_error *err;
	size_t len;
	char path[OCI_JSON_PATH_MAX];
};

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
#define SHARED_DESC(name, st, fl, chk)                                         \
	const struct objdesc name = {(fl), ARRAY_SIZE(fl), sizeof(st), (chk)}
#define DESC(name, st, fl, chk) static SHARED_DESC(name, st, fl, chk)
#define RANGE(a, b)		.flags = FL_RANGE, .min = (a), .max = (b)

/* Sub-objects over anonymous structs sit at offset 0: same base. */
#define SUBOBJ(k, d)                                                           \
	{                                                                      \
		.key = (k), .type = F_OBJ, .off = 0, .desc = &(d)              \
	}

static inline void *ocp_at(void *base, size_t off)
{
	return (char *)base + off;
}

/* ---- the walker (config_parse.c) ---- */

/* Fill the error with "name: .json.path: message" on one line. */
__attribute__((format(printf, 2, 3))) int ocp_perr(struct pctx *c,
						   const char *fmt, ...);
int ocp_oom(struct pctx *c);
/* Append ".key" or "[i]" to the JSON path; return the mark to pop back to. */
size_t ocp_path_key(struct pctx *c, const char *key);
size_t ocp_path_idx(struct pctx *c, size_t i);
int ocp_parse_obj(struct pctx *c, const struct objdesc *d, json_t *v,
		  void *out);
void ocp_free_obj(const struct objdesc *d, void *out);

/* ---- tables and checks the section files share ---- */

/* config_process.c */
extern const struct objdesc ocp_process_desc;
int ocp_env_check(struct pctx *c, const char *s);

/* config_mounts.c */
extern const struct objdesc ocp_root_desc;
extern const struct objdesc ocp_mount_desc;

/* config_hooks.c */
extern const struct objdesc ocp_hooks_desc;

/* config_linux.c */
extern const struct objdesc ocp_linux_desc;
extern const struct name_val ocp_ns_names[];
/* The seccomp names the parser accepts (NULL-terminated); `features`
 * lists them. */
extern const struct name_val ocp_seccomp_actions[];
extern const struct name_val ocp_seccomp_ops[];
extern const struct name_val ocp_seccomp_flags[];
/* One LinuxIDMapping; linux.uidMappings and mounts[].uidMappings use it. */
extern const struct objdesc ocp_idmap_desc;
/* .post of an F_ARRAY of ocp_idmap_desc: at most 340 entries, no overlaps. */
int ocp_idmaps_post(struct pctx *c, const struct field *f, void *base);

/* config_resources.c */
extern const struct objdesc ocp_resources_desc;
