#pragma once
/*
 * jansson, with json_decref() out of line.  The header's static inline
 * copy was emitted in every file that calls it (eight copies of 27 bytes),
 * against the binary's size target (docs/performance.md); one copy, in
 * json_text.c, serves them all.
 */
#include <jansson.h>

void oci_json_decref(json_t *json);
#define json_decref oci_json_decref
