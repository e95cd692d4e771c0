/*
 * exec's process object: parsed alone with the config's process table, or
 * patched from the container's config.json as data (jansson), never as
 * text, then parsed, so every value passes the same checks as in
 * config.json.
 */
#include "oci/process.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "oci/config_internal.h"
#include "util/cleanup.h"
#include "util/util.h"

static int parse_value(json_t *v, const char *name, struct oci_process **ret,
		       struct berth_error *err)
{
	struct pctx c = {.name = name, .err = err};
	if (!json_is_object(v))
		return ocp_perr(&c, "expected a JSON object");
	struct oci_process *p = calloc(1, sizeof(*p));
	if (p == NULL)
		return berth_err(err, ENOMEM, "%s: parse", name);
	int r = ocp_parse_obj(&c, &ocp_process_desc, v, p);
	if (r < 0) {
		oci_process_free(p);
		return r;
	}
	*ret = p;
	return 0;
}

static json_t *load_json(const char *json, size_t len, const char *name,
			 struct berth_error *err)
{
	json_error_t jerr;
	json_t *v = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (v == NULL)
		berth_err_msg(err, EINVAL,
			      "%s: invalid JSON at line %d, column %d: %s",
			      name, jerr.line, jerr.column, jerr.text);
	return v;
}

int oci_process_parse(const char *json, size_t len, const char *name,
		      struct oci_process **ret, struct berth_error *err)
{
	_cleanup_json_ json_t *v = load_json(json, len, name, err);
	if (v == NULL)
		return -EINVAL;
	return parse_value(v, name, ret, err);
}

int oci_process_load(const char *path, struct oci_process **ret,
		     struct berth_error *err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int r = read_user_file(AT_FDCWD, path, BERTH_FILE_MAX, "--process",
			       &buf, &len, err);
	if (r < 0)
		return r;
	return oci_process_parse(buf, len, path, ret, err);
}

static json_t *strv_json(char **v)
{
	json_t *a = json_array();
	for (size_t i = 0; a != NULL && v != NULL && v[i] != NULL; i++)
		if (json_array_append_new(a, json_string(v[i])) < 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

/* NAME=value replaces an entry with the same NAME, else is appended. */
static int patch_env(json_t *proc, char **env)
{
	json_t *list = json_object_get(proc, "env");
	if (!json_is_array(list)) {
		list = json_array();
		if (list == NULL || json_object_set_new(proc, "env", list) < 0)
			return -ENOMEM;
	}
	for (size_t i = 0; env != NULL && env[i] != NULL; i++) {
		const char *eq = strchr(env[i], '=');
		size_t n = eq ? (size_t)(eq - env[i]) + 1 : strlen(env[i]);
		size_t j;
		json_t *e;
		bool done = false;
		json_array_foreach(list, j, e)
		{
			const char *s = json_string_value(e);
			if (s != NULL && strncmp(s, env[i], n) == 0 &&
			    (eq != NULL || s[n] == '=')) {
				done = json_array_set_new(
					   list, j, json_string(env[i])) == 0;
				break;
			}
		}
		if (!done &&
		    json_array_append_new(list, json_string(env[i])) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int add_caps(json_t *proc, char **caps)
{
	static const char *const sets[] = {"bounding", "effective",
					   "permitted"};
	if (caps == NULL || caps[0] == NULL)
		return 0;
	json_t *c = json_object_get(proc, "capabilities");
	if (!json_is_object(c)) {
		c = json_object();
		if (c == NULL ||
		    json_object_set_new(proc, "capabilities", c) < 0)
			return -ENOMEM;
	}
	for (size_t s = 0; s < ARRAY_SIZE(sets); s++) {
		json_t *list = json_object_get(c, sets[s]);
		if (!json_is_array(list)) {
			list = json_array();
			if (list == NULL ||
			    json_object_set_new(c, sets[s], list) < 0)
				return -ENOMEM;
		}
		for (size_t i = 0; caps[i] != NULL; i++)
			if (json_array_append_new(list, json_string(caps[i])) <
			    0)
				return -ENOMEM;
	}
	return 0;
}

static int set_user(json_t *proc, const struct oci_process_patch *pt)
{
	json_t *u = json_object_get(proc, "user");
	if (!json_is_object(u)) {
		u = json_object();
		if (u == NULL || json_object_set_new(proc, "user", u) < 0)
			return -ENOMEM;
	}
	if (pt->user_set &&
	    (json_object_set_new(u, "uid", json_integer(pt->uid)) < 0 ||
	     json_object_set_new(u, "gid", json_integer(pt->gid)) < 0))
		return -ENOMEM;
	if (pt->additional_gids_n == 0)
		return 0;
	json_t *g = json_array();
	for (size_t i = 0; g != NULL && i < pt->additional_gids_n; i++)
		json_array_append_new(g, json_integer(pt->additional_gids[i]));
	return g != NULL && json_object_set_new(u, "additionalGids", g) == 0
		   ? 0
		   : -ENOMEM;
}

static int set_str(json_t *proc, const char *key, const char *v)
{
	if (v == NULL)
		return 0;
	return json_object_set_new(proc, key, json_string(v)) < 0 ? -ENOMEM : 0;
}

static int apply_patch(json_t *proc, const struct oci_process_patch *pt)
{
	int r = json_object_set_new(proc, "args", strv_json(pt->args)) < 0
		    ? -ENOMEM
		    : 0;
	if (r == 0 && json_object_set_new(proc, "terminal",
					  json_boolean(pt->terminal)) < 0)
		r = -ENOMEM;
	if (r == 0)
		r = set_str(proc, "cwd", pt->cwd);
	if (r == 0)
		r = patch_env(proc, pt->env);
	if (r == 0)
		r = set_user(proc, pt);
	if (r == 0)
		r = add_caps(proc, pt->caps);
	if (r == 0 && pt->no_new_privs &&
	    json_object_set_new(proc, "noNewPrivileges", json_true()) < 0)
		r = -ENOMEM;
	if (r == 0)
		r = set_str(proc, "apparmorProfile", pt->apparmor);
	if (r == 0)
		r = set_str(proc, "selinuxLabel", pt->selinux);
	return r;
}

int oci_process_patched(const char *config_json, size_t len,
			const struct oci_process_patch *patch,
			struct oci_process **ret, struct berth_error *err)
{
	_cleanup_json_ json_t *cfg =
	    load_json(config_json, len, "config.json", err);
	if (cfg == NULL)
		return -EINVAL;
	json_t *proc = json_object_get(cfg, "process");
	if (!json_is_object(proc))
		return berth_err_msg(err, EINVAL,
				     "config.json: .process: missing");
	/* The container's console size is its own, not this process's. */
	json_object_del(proc, "consoleSize");
	if (apply_patch(proc, patch) < 0)
		return berth_err(err, ENOMEM, "exec: build the process");
	return parse_value(proc, "exec", ret, err);
}

void oci_process_free(struct oci_process *p)
{
	if (p == NULL)
		return;
	ocp_free_obj(&ocp_process_desc, p);
	free(p);
}
