#pragma once
/* GNU build ids (.note.gnu.build-id), read from memory: no syscall.  Any
 * change of the code changes them, so they key what berth caches of its
 * own output and of a library's (the compiled seccomp filters). */
#include <stddef.h>

/* Of the running program (@object NULL), or of the first loaded shared
 * object whose path contains @object ("libseccomp.so").  0 and
 * @ret/@ret_len set; -ENOENT when no such object is loaded, -ENODATA when
 * it was linked without a build id. */
int build_id(const char *object, const unsigned char **ret, size_t *ret_len);
