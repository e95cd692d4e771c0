#pragma once
/* Plain JSON text helpers for layers that may not include jansson. */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "util/error.h"

/* Check that @text (@len bytes) is one JSON object without duplicate keys
 * and hand back a malloc'd copy in jansson's layout: compact, or indented
 * by 2 with a final newline when @pretty.  @name names it in errors. */
int oci_json_object_text(const char *text, size_t len, const char *name,
			 bool pretty, char **ret_text, struct berth_error *err);
/* Write @s to @f as a JSON string literal (quotes, escapes); -EINVAL when
 * @s is not UTF-8, -EIO when the write fails. */
int oci_json_write_string(FILE *f, const char *s);
