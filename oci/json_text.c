/*
 * JSON text that other layers write by hand (the sandbox's config): check
 * that it is one JSON object and give it back in jansson's own layout, so
 * what is printed is exactly what is parsed.
 */
#include "oci/json_text.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "oci/jansson.h"

int oci_json_object_text(const char *text, size_t len, const char *name,
			 bool pretty, char **ret_text, struct berth_error *err)
{
	json_error_t je;
	json_t *v = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (v == NULL)
		return berth_err_msg(err, EINVAL, "%s: line %d: %s", name,
				     je.line, je.text);
	if (!json_is_object(v)) {
		json_decref(v);
		return berth_err_msg(err, EINVAL, "%s: expected a JSON object",
				     name);
	}
	size_t flags = pretty ? JSON_INDENT(2) : JSON_COMPACT;
	char *s = json_dumps(v, flags | JSON_PRESERVE_ORDER);
	json_decref(v);
	if (s == NULL)
		return berth_err(err, ENOMEM, "%s: format", name);
	if (pretty) {
		size_t n = strlen(s);
		char *out = realloc(s, n + 2);
		if (out == NULL) {
			free(s);
			return berth_err(err, ENOMEM, "%s: format", name);
		}
		out[n] = '\n';
		out[n + 1] = '\0';
		s = out;
	}
	*ret_text = s;
	return 0;
}

/* The JSON string literal for @s, quotes included, into @f. */
int oci_json_write_string(FILE *f, const char *s)
{
	json_t *v = json_string(s);
	if (v == NULL)
		return -EINVAL; /* not UTF-8 */
	int r = json_dumpf(v, f, JSON_ENCODE_ANY);
	json_decref(v);
	return r < 0 ? -EIO : 0;
}

#undef json_decref
void oci_json_decref(json_t *json)
{
	json_decref(json);
}
