/*
 * Re-exec berth from a sealed memfd copy of itself (the CVE-2019-5736
 * class): a container process could otherwise open /proc/<pid>/exe of
 * berth's child, or exec /proc/self/exe before our exec replaced it, and
 * later write the host's berth binary through it.  A sealed memfd cannot be
 * written, whatever is opened.
 *
 * The library asks for it (rt_create_opts.reexec_sealed): exec is the CLI's
 * business, like exit.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "util/util.h"

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

extern char **environ;

static bool running_sealed(int exe)
{
	int seals = fcntl(exe, F_GET_SEALS);
	return seals >= 0 && (seals & SEALS) == SEALS;
}

static int copy_all(int from, int to)
{
	struct stat st;
	if (fstat(from, &st) < 0)
		return -errno;
	off_t left = st.st_size;
	while (left > 0) {
		ssize_t n = sendfile(to, from, NULL, (size_t)left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		left -= n;
	}
	return 0;
}

bool cli_running_sealed(void)
{
	int exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	bool sealed = exe >= 0 && running_sealed(exe);
	if (exe >= 0)
		close(exe);
	return sealed;
}

int cli_reexec_sealed(void *data)
{
	struct cli *cli = data;
	int exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (exe < 0)
		return -errno;
	if (running_sealed(exe)) {
		close(exe);
		return 0; /* this is the sealed copy already */
	}
	int mfd = memfd_create("berth", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	int r = mfd < 0 ? -errno : copy_all(exe, mfd);
	close(exe);
	if (r == 0)
		r = memfd_add_seals(mfd, SEALS);
	if (r == 0) {
		cli_clock_hand_on(cli);
		fexecve(mfd, cli->argv, environ);
		r = -errno;
	}
	if (mfd >= 0)
		close(mfd);
	return r;
}
