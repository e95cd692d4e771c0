/*
 * The document of `berth update`: a linux.resources object, from the
 * user's file (--resources) or built as data from the flags' values (never
 * pasted into JSON text), then checked by config.json's own tables.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "oci/config_internal.h"
#include "oci/events_json.h"

void oci_resources_free(struct oci_resources *r)
{
	if (r == NULL)
		return;
	ocp_free_obj(&ocp_resources_desc, r);
	free(r);
}

static void oci_resources_freep(struct oci_resources **r)
{
	oci_resources_free(*r);
}

/* linux.resources from the JSON value @v; errors "@name: .pids.limit: ". */
static int resources_from_json(json_t *v, const char *name,
			       struct oci_resources **ret,
			       struct berth_error *err)
{
	if (!json_is_object(v))
		return berth_err_msg(err, EINVAL,
				     "%s: expected a JSON object (a "
				     "linux.resources)",
				     name);
	__attribute__((cleanup(oci_resources_freep))) struct oci_resources *r =
	    calloc(1, sizeof(*r));
	if (r == NULL)
		return berth_err(err, ENOMEM, "%s: parse", name);
	struct pctx c = {.name = name, .err = err};
	int rc = ocp_parse_obj(&c, &ocp_resources_desc, v, r);
	if (rc < 0)
		return rc;
	*ret = TAKE_PTR(r);
	return 0;
}

int oci_resources_parse(const char *json, size_t len, const char *name,
			struct oci_resources **ret, struct berth_error *err)
{
	json_error_t jerr;
	_cleanup_json_ json_t *v =
	    json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (v == NULL)
		return berth_err_msg(err, EINVAL,
				     "%s: invalid JSON at line %d, column %d: "
				     "%s",
				     name, jerr.line, jerr.column, jerr.text);
	return resources_from_json(v, name, ret, err);
}

/* doc[section][key] = the value, the section made on first use. */
static int set_value(json_t *doc, const struct oci_update_value *u)
{
	json_t *sec = json_object_get(doc, u->section);
	if (sec == NULL) {
		sec = json_object();
		if (json_object_set_new(doc, u->section, sec) < 0)
			return -ENOMEM;
	}
	json_t *val = u->is_text ? json_string(u->text)
				 : json_integer((json_int_t)u->num);
	if (u->is_text && val == NULL)
		return -EINVAL; /* not UTF-8 */
	return json_object_set_new(sec, u->key, val) < 0 ? -ENOMEM : 0;
}

int oci_resources_from_values(const struct oci_update_value *v, size_t n,
			      const char *name, struct oci_resources **ret,
			      struct berth_error *err)
{
	_cleanup_json_ json_t *doc = json_object();
	if (doc == NULL)
		return berth_err(err, ENOMEM, "%s", name);
	for (size_t i = 0; i < n; i++) {
		int r = set_value(doc, &v[i]);
		if (r == -EINVAL)
			return berth_err_msg(err, EINVAL,
					     "%s: .%s.%s: not valid UTF-8",
					     name, v[i].section, v[i].key);
		if (r < 0)
			return berth_err(err, -r, "%s", name);
	}
	return resources_from_json(doc, name, ret, err);
}
