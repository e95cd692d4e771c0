#pragma once
/*
 * Cleanup attributes and ownership hand-off, in the systemd style.
 * Every free function used here accepts NULL / -1.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void cleanup_freep(void *p)
{
	free(*(void **)p);
}

/* Out of line (util.c): as a static inline, each file kept a copy of its
 * own, 28 in all (1 KB of the binary). */
void cleanup_closep(int *fd);

static inline void cleanup_fclosep(FILE **f)
{
	if (*f != NULL)
		fclose(*f);
}

/* Free a NULL-terminated array of strings and the array itself. */
void strv_free(char **v);
static inline void cleanup_strvp(char ***v)
{
	strv_free(*v);
}

#define _cleanup_free_	 __attribute__((cleanup(cleanup_freep)))
#define _cleanup_close_	 __attribute__((cleanup(cleanup_closep)))
#define _cleanup_fclose_ __attribute__((cleanup(cleanup_fclosep)))
#define _cleanup_strv_	 __attribute__((cleanup(cleanup_strvp)))

/* Take the pointer out of a cleanup variable so it is not freed. */
#define TAKE_PTR(p)                                                            \
	({                                                                     \
		__typeof__(p) _tmp_ = (p);                                     \
		(p) = NULL;                                                    \
		_tmp_;                                                         \
	})

#define TAKE_FD(fd)                                                            \
	({                                                                     \
		int _tmp_ = (fd);                                              \
		(fd) = -1;                                                     \
		_tmp_;                                                         \
	})

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
