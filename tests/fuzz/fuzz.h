#pragma once
/*
 * Shared by the libFuzzer targets in tests/fuzz/ (see README.md): what
 * the parent does with a linux.resources object before it writes any
 * cgroup file — the pure conversions of cgroups/convert.h and the device
 * program of cgroups/bpf_devices.h, the cgroup paths of cgroups/path.h.
 * No I/O.
 */
#include <stddef.h>
#include <stdint.h>

#include "oci/config.h"

/* libFuzzer's entry point, declared for -Wmissing-prototypes and co. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

void fuzz_resources(const struct oci_resources *res);
/* linux.cgroupsPath (may be NULL: @id) resolved on a fake hybrid host,
 * then the text state.json keeps and its parser. */
void fuzz_cgroups_path(const char *cgroups_path, const char *id);
/* The cgroup paths state.json keeps (cg_hiers_parse). */
void fuzz_cgroups_saved(const char *saved);
