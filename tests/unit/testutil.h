#pragma once
/* Helpers shared by the unit tests. */
#include <dirent.h>

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
