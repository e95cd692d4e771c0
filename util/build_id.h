#pragma once
/* The GNU build id of the running berth binary (its .note.gnu.build-id,
 * read from memory: no syscall).  Any change of the code changes it, so it
 * keys what berth caches of its own output (the compiled seccomp filters).
 * 0 and @ret/@ret_len set, or -ENOENT for a build linked without one. */
#include <stddef.h>

int self_build_id(const unsigned char **ret, size_t *ret_len);
