#pragma once
/* Helpers shared by the unit tests. */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>

#include "util/error.h"

/* Entries in /proc/self/fd, for the fd-leak tests: call an error path many
 * times and compare the count before and after. */
static inline int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;
	while (d != NULL && readdir(d) != NULL)
		n++;
	if (d != NULL)
		closedir(d);
	return n;
}

static inline int rm_tree_entry(const char *path, const struct stat *st,
				int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Remove @dir and everything below it (a test's scratch dir). */
static inline void rm_tree(const char *dir)
{
	nftw(dir, rm_tree_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* In a forked test child: on failure, say where and why, and return 1
 * (the child's exit status). CKR's call may fill the error struct e_. */
#define CK(cond)                                                               \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: failed: %s (errno: %s)\n",     \
				__FILE__, __LINE__, #cond, strerror(errno));   \
			return 1;                                              \
		}                                                              \
	} while (0)

#define CKR(call)                                                              \
	do {                                                                   \
		struct berth_error e_ = {0};                                   \
		int r_ = (call);                                               \
		if (r_ < 0) {                                                  \
			fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, \
				#call, e_.msg);                                \
			return 1;                                              \
		}                                                              \
	} while (0)
