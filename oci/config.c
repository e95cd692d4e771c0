/*
 * config.json -> struct oci_spec: the top-level table (ociVersion, hostname,
 * annotations and the sections) and the public entry points of oci/config.h.
 * The walker is in config_parse.c, the sections' tables in config_*.c; the
 * design is described in config_internal.h.
 */
#include "oci/config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "oci/config_internal.h"
#include "oci/jansson.h"
#include "util/cleanup.h"
#include "util/util.h"

#define OCI_HOSTNAME_MAX 64

/* ---- string checks ---- */

static int version_check(struct pctx *c, const char *s)
{
	char *end;
	unsigned long major;

	errno = 0;
	major = strtoul(s, &end, 10);
	if (!isdigit((unsigned char)s[0]) || *end != '.' || errno != 0)
		return ocp_perr(
		    c, "malformed version \"%s\" (expected e.g. 1.3.0)", s);
	if (major != 1)
		return ocp_perr(c,
				"unsupported ociVersion \"%s\": berth supports "
				"1.x",
				s);
	return 0;
}

const char *oci_hostname_invalid(const char *s)
{
	if (strlen(s) > OCI_HOSTNAME_MAX)
		return "longer than 64 characters";
	/* RFC 1123: dot-separated labels of 1-63 letters, digits and
	 * hyphens, no hyphen first or last; "" (no name) is the kernel's */
	for (const char *p = s; *p != '\0';) {
		size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyz"
				     "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-");
		if (p[n] != '\0' && p[n] != '.')
			return "only letters, digits, hyphens and dots "
			       "(RFC 1123)";
		if (n == 0 || n > 63)
			return "a dot-separated label is empty or longer than "
			       "63 characters (RFC 1123)";
		if (p[0] == '-' || p[n - 1] == '-')
			return "a label starts or ends with a hyphen (RFC "
			       "1123)";
		p += n + (p[n] == '.');
		if (p[-1] == '.' && *p == '\0')
			return "a dot-separated label is empty or longer than "
			       "63 characters (RFC 1123)";
	}
	return NULL;
}

static int hostname_check(struct pctx *c, const char *s)
{
	const char *why = oci_hostname_invalid(s);
	if (why != NULL && strlen(s) > OCI_HOSTNAME_MAX)
		return ocp_perr(c, "%s", why);
	if (why != NULL)
		return ocp_perr(c, "invalid name \"%s\": %s", s, why);
	return 0;
}

/* ---- the whole config ---- */

#define SPEC(k, t, m, ...) FLD(k, t, struct oci_spec, m, __VA_ARGS__)
static const struct field spec_fields[] = {
    SPEC("ociVersion", F_STR, oci_version, .flags = FL_REQ,
	 .each = version_check),
    SPEC("process", F_OBJP, process, .desc = &ocp_process_desc),
    SPEC("root", F_OBJ, root, .flags = FL_REQ, .desc = &ocp_root_desc),
    SPEC("hostname", F_STR, hostname, .each = hostname_check),
    SPEC("domainname", F_STR, domainname, .each = hostname_check),
    ARR("mounts", struct oci_spec, mounts, ocp_mount_desc),
    SPEC("hooks", F_OBJ, hooks, .desc = &ocp_hooks_desc),
    {.key = "annotations",
     .type = F_KV,
     .off = offsetof(struct oci_spec, annotations),
     .n_off = offsetof(struct oci_spec, annotations_n)},
    SPEC("linux", F_OBJP, linux_, .desc = &ocp_linux_desc),
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
	int r = ocp_parse_obj(&c, &spec_desc, root, spec);
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

	int r = read_user_file(AT_FDCWD, path, BERTH_FILE_MAX, "config.json",
			       &buf, &len, err);
	if (r < 0)
		return r;
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
	ocp_free_obj(&spec_desc, spec);
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
	for (const struct name_val *n = ocp_ns_names; n->name != NULL; n++)
		if (n->val == (int)type)
			return n->name;
	return "unknown";
}
