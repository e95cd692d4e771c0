/*
 * Container state <-> JSON.  See oci/state_json.h for the three forms.
 */
#include "oci/state_json.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "oci/jansson.h"
#include "util/cleanup.h"

static inline void cleanup_json_decref(json_t **j)
{
	json_decref(*j);
}
#define _cleanup_json_ __attribute__((cleanup(cleanup_json_decref)))

#define STATE_FILE "state.json"

static const char *const status_names[] = {
    [OCI_STATUS_CREATING] = "creating", [OCI_STATUS_CREATED] = "created",
    [OCI_STATUS_RUNNING] = "running",	[OCI_STATUS_STOPPED] = "stopped",
    [OCI_STATUS_PAUSED] = "paused",
};

const char *oci_status_name(enum oci_status st)
{
	if ((unsigned)st >= ARRAY_SIZE(status_names))
		return "unknown";
	return status_names[st];
}

struct oci_state *oci_state_new(void)
{
	return calloc(1, sizeof(struct oci_state));
}

static void kv_free(struct oci_kv *kv, size_t n)
{
	for (size_t i = 0; kv != NULL && i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

void oci_state_free(struct oci_state *s)
{
	if (s == NULL)
		return;
	free(s->id);
	free(s->bundle);
	free(s->rootfs);
	kv_free(s->annotations, s->annotations_n);
	free(s->owner);
	free(s->cgroup_path);
	free(s);
}

int oci_state_set_annotations(struct oci_state *s, const struct oci_kv *kv,
			      size_t n)
{
	struct oci_kv *copy = calloc(n ? n : 1, sizeof(*copy));
	if (copy == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		copy[i].key = strdup(kv[i].key);
		copy[i].value = strdup(kv[i].value ? kv[i].value : "");
		if (copy[i].key == NULL || copy[i].value == NULL) {
			kv_free(copy, i + 1);
			return -ENOMEM;
		}
	}
	kv_free(s->annotations, s->annotations_n);
	s->annotations = copy;
	s->annotations_n = n;
	return 0;
}

int oci_format_rfc3339nano(int64_t ns, char *buf, size_t size)
{
	int64_t sec = ns / 1000000000, frac = ns % 1000000000;
	if (frac < 0) {
		frac += 1000000000;
		sec--;
	}
	time_t t = (time_t)sec;
	struct tm tm;
	if (gmtime_r(&t, &tm) == NULL)
		return -EOVERFLOW;
	if (tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999)
		return -EOVERFLOW;
	char fracbuf[16] = "";
	if (frac != 0) {
		snprintf(fracbuf, sizeof(fracbuf), ".%09" PRId64, frac);
		size_t len = strlen(fracbuf);
		while (fracbuf[len - 1] == '0')
			fracbuf[--len] = '\0';
	}
	int n = snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d%sZ",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			 tm.tm_hour, tm.tm_min, tm.tm_sec, fracbuf);
	if (n < 0 || (size_t)n >= size)
		return -EINVAL;
	return 0;
}

/* ---- building ---- */

static json_t *annotations_to_json(const struct oci_state *s)
{
	json_t *o = json_object();
	for (size_t i = 0; o != NULL && i < s->annotations_n; i++) {
		const struct oci_kv *kv = &s->annotations[i];
		if (json_object_set_new(
			o, kv->key, json_string(kv->value ? kv->value : "")) <
		    0) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

static const char *str_or_empty(const char *s)
{
	return s != NULL ? s : "";
}

static int dump(json_t *root, size_t flags, char **ret_json,
		struct berth_error *err, const char *what)
{
	char *out = json_dumps(root, flags | JSON_PRESERVE_ORDER);
	if (out == NULL)
		return berth_err(err, ENOMEM, "encode %s", what);
	*ret_json = out;
	return 0;
}

static int pack_error(struct berth_error *err, const json_error_t *jerr,
		      const char *what)
{
	/* json_pack fails on invalid UTF-8 or out of memory. */
	return berth_err_msg(err, EINVAL, "encode %s: %s", what, jerr->text);
}

int oci_state_serialize(const struct oci_state *s, char **ret_json,
			struct berth_error *err)
{
	json_t *ann = annotations_to_json(s);
	if (ann == NULL)
		return berth_err_msg(err, EINVAL,
				     "encode state.json: annotations: invalid "
				     "UTF-8 or out of memory");
	json_error_t jerr;
	_cleanup_json_ json_t *root = json_pack_ex(
	    &jerr, 0,
	    "{s:s, s:s?, s:s?, s:I, s:I, s:I, s:b, s:b, s:o, s:s?, s:b, s:b}",
	    "id", str_or_empty(s->id), "bundle", s->bundle, "rootfs", s->rootfs,
	    "pid", (json_int_t)s->pid, "pid_start", (json_int_t)s->pid_start,
	    "created", (json_int_t)s->created, "creating", s->creating,
	    "started", s->started, "annotations", ann, "cgroup_path",
	    s->cgroup_path, "use_systemd", s->use_systemd, "own_pid_ns",
	    s->own_pid_ns);
	if (root == NULL)
		return pack_error(err, &jerr, STATE_FILE);
	return dump(root, JSON_COMPACT, ret_json, err, STATE_FILE);
}

/* The object `berth state` and `berth list --format json` show. */
static int runc_state_object(const struct oci_state *s, enum oci_status st,
			     json_t **ret, struct berth_error *err)
{
	char created[64];
	if (oci_format_rfc3339nano(s->created, created, sizeof(created)) < 0)
		return berth_err_msg(
		    err, EOVERFLOW, "state of %s: bad created time %lld",
		    str_or_empty(s->id), (long long)s->created);
	json_error_t jerr;
	_cleanup_json_ json_t *o = json_pack_ex(
	    &jerr, 0, "{s:s, s:s, s:I, s:s, s:s, s:s, s:s}", "ociVersion",
	    OCI_SPEC_VERSION, "id", str_or_empty(s->id), "pid",
	    (json_int_t)(st == OCI_STATUS_STOPPED ? 0 : s->pid), "status",
	    oci_status_name(st), "bundle", str_or_empty(s->bundle), "rootfs",
	    str_or_empty(s->rootfs), "created", created);
	if (o == NULL)
		return pack_error(err, &jerr, "state");
	int r = 0;
	if (s->annotations_n > 0)
		r |= json_object_set_new(o, "annotations",
					 annotations_to_json(s));
	r |= json_object_set_new(o, "owner",
				 json_string(str_or_empty(s->owner)));
	if (r < 0)
		return berth_err_msg(err, EINVAL,
				     "encode state: invalid "
				     "UTF-8 or out of memory");
	*ret = TAKE_PTR(o);
	return 0;
}

int oci_state_to_json(const struct oci_state *s, enum oci_status st,
		      bool pretty, char **ret_json, struct berth_error *err)
{
	_cleanup_json_ json_t *o = NULL;
	int r = runc_state_object(s, st, &o, err);
	if (r < 0)
		return r;
	return dump(o, pretty ? JSON_INDENT(2) : JSON_COMPACT, ret_json, err,
		    "state");
}

int oci_state_hook_json(const struct oci_state *s, enum oci_status st,
			char **ret_json, struct berth_error *err)
{
	json_error_t jerr;
	_cleanup_json_ json_t *o = json_pack_ex(
	    &jerr, 0, "{s:s, s:s, s:s}", "ociVersion", OCI_SPEC_VERSION, "id",
	    str_or_empty(s->id), "status", oci_status_name(st));
	if (o == NULL)
		return pack_error(err, &jerr, "hook state");
	int r = 0;
	if (st != OCI_STATUS_STOPPED && s->pid > 0)
		r |= json_object_set_new(o, "pid", json_integer(s->pid));
	r |= json_object_set_new(o, "bundle",
				 json_string(str_or_empty(s->bundle)));
	if (s->annotations_n > 0)
		r |= json_object_set_new(o, "annotations",
					 annotations_to_json(s));
	if (r < 0)
		return berth_err_msg(err, EINVAL,
				     "encode hook state: invalid "
				     "UTF-8 or out of memory");
	return dump(o, JSON_COMPACT, ret_json, err, "hook state");
}

int oci_state_list_json(const struct oci_state *const *states,
			const enum oci_status *statuses, size_t n,
			char **ret_json, struct berth_error *err)
{
	_cleanup_json_ json_t *arr = json_array();
	if (arr == NULL)
		return berth_err(err, ENOMEM, "encode list");
	for (size_t i = 0; i < n; i++) {
		json_t *o = NULL;
		int r = runc_state_object(states[i], statuses[i], &o, err);
		if (r < 0)
			return r;
		if (json_array_append_new(arr, o) < 0)
			return berth_err(err, ENOMEM, "encode list");
	}
	return dump(arr, JSON_COMPACT, ret_json, err, "list");
}

/* ---- parsing ---- */

static int get_str(json_t *root, const char *key, bool required, char **ret,
		   struct berth_error *err)
{
	json_t *v = json_object_get(root, key);
	if (v == NULL || json_is_null(v)) {
		if (required)
			return berth_err_msg(err, EINVAL,
					     STATE_FILE ": .%s: missing", key);
		return 0;
	}
	if (!json_is_string(v))
		return berth_err_msg(err, EINVAL,
				     STATE_FILE ": .%s: expected string", key);
	char *copy = strdup(json_string_value(v));
	if (copy == NULL)
		return berth_err(err, ENOMEM, STATE_FILE ": .%s", key);
	free(*ret);
	*ret = copy;
	return 0;
}

static int get_int(json_t *root, const char *key, int64_t min, int64_t max,
		   int64_t *ret, struct berth_error *err)
{
	json_t *v = json_object_get(root, key);
	if (v == NULL)
		return 0;
	if (!json_is_integer(v))
		return berth_err_msg(err, EINVAL,
				     STATE_FILE ": .%s: expected integer", key);
	json_int_t i = json_integer_value(v);
	if (i < min || i > max)
		return berth_err_msg(err, ERANGE,
				     STATE_FILE ": .%s: %lld out of range", key,
				     (long long)i);
	*ret = i;
	return 0;
}

static int get_bool(json_t *root, const char *key, bool *ret,
		    struct berth_error *err)
{
	json_t *v = json_object_get(root, key);
	if (v == NULL)
		return 0;
	if (!json_is_boolean(v))
		return berth_err_msg(err, EINVAL,
				     STATE_FILE ": .%s: expected boolean", key);
	*ret = json_is_true(v);
	return 0;
}

static int get_annotations(json_t *root, struct oci_state *s,
			   struct berth_error *err)
{
	json_t *o = json_object_get(root, "annotations");
	if (o == NULL || json_is_null(o))
		return 0;
	if (!json_is_object(o))
		return berth_err_msg(
		    err, EINVAL, STATE_FILE ": .annotations: expected object");
	size_t n = json_object_size(o);
	s->annotations = calloc(n ? n : 1, sizeof(struct oci_kv));
	if (s->annotations == NULL)
		return berth_err(err, ENOMEM, STATE_FILE ": .annotations");
	const char *key;
	json_t *v;
	json_object_foreach(o, key, v)
	{
		if (!json_is_string(v))
			return berth_err_msg(
			    err, EINVAL,
			    STATE_FILE
			    ": .annotations[\"%s\"]: expected string",
			    key);
		struct oci_kv *kv = &s->annotations[s->annotations_n];
		kv->key = strdup(key);
		kv->value = strdup(json_string_value(v));
		s->annotations_n++;
		if (kv->key == NULL || kv->value == NULL)
			return berth_err(err, ENOMEM,
					 STATE_FILE ": .annotations");
	}
	return 0;
}

static int parse_fields(json_t *root, struct oci_state *s,
			struct berth_error *err)
{
	int64_t pid = 0, start = 0, created = 0;
	int r = 0;
	if (r == 0)
		r = get_str(root, "id", true, &s->id, err);
	if (r == 0)
		r = get_str(root, "bundle", false, &s->bundle, err);
	if (r == 0)
		r = get_str(root, "rootfs", false, &s->rootfs, err);
	if (r == 0)
		r = get_int(root, "pid", 0, INT32_MAX, &pid, err);
	if (r == 0)
		r = get_int(root, "pid_start", 0, INT64_MAX, &start, err);
	if (r == 0)
		r = get_int(root, "created", INT64_MIN, INT64_MAX, &created,
			    err);
	if (r == 0)
		r = get_bool(root, "creating", &s->creating, err);
	if (r == 0)
		r = get_bool(root, "started", &s->started, err);
	if (r == 0)
		r = get_annotations(root, s, err);
	if (r == 0)
		r = get_str(root, "cgroup_path", false, &s->cgroup_path, err);
	if (r == 0)
		r = get_bool(root, "use_systemd", &s->use_systemd, err);
	if (r == 0)
		r = get_bool(root, "own_pid_ns", &s->own_pid_ns, err);
	s->pid = (pid_t)pid;
	s->pid_start = (uint64_t)start;
	s->created = created;
	return r;
}

int oci_state_parse(const char *json, struct oci_state **ret,
		    struct berth_error *err)
{
	json_error_t jerr;
	_cleanup_json_ json_t *root =
	    json_loads(json, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
		return berth_err_msg(err, EINVAL,
				     STATE_FILE ": line %d column %d: %s",
				     jerr.line, jerr.column, jerr.text);
	if (!json_is_object(root))
		return berth_err_msg(err, EINVAL,
				     STATE_FILE ": expected an object");
	_cleanup_oci_state_ struct oci_state *s = oci_state_new();
	if (s == NULL)
		return berth_err(err, ENOMEM, STATE_FILE);
	int r = parse_fields(root, s, err);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(s);
	return 0;
}
