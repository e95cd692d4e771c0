#pragma once
/* What berth can honour: checks on a parsed config that need the runtime's
 * knowledge (the parser in oci/ only checks types and values). */
#include "oci/config.h"
#include "runtime/context.h"
#include "util/error.h"

int validate_spec(const struct oci_spec *spec, struct berth_error *err);
