/* runtime/checkpoint: CRIU's error lines, the berth-checkpoint file, the
 * criu binary looked up (issue 13). */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runtime/checkpoint/criu.h"
#include "runtime/checkpoint/describe.h"
#include "testutil.h"

static char dir[] = "/tmp/berth-test-ckpt.XXXXXX";
static int tdir = -1;

static void setup(void)
{
	cr_assert_not_null(mkdtemp(dir));
	tdir = open(dir, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	cr_assert_geq(tdir, 0);
}

static void teardown(void)
{
	char cmd[128];
	close(tdir);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(checkpoint, .init = setup, .fini = teardown);

Test(checkpoint, error_lines_first_and_last)
{
	char buf[256];
	criu_error_lines("(00.1) info\nError (criu/vdso.c:381): vdso: bad\n"
			 "(00.2) Error (criu/crtools.c:260): Could not init.\n",
			 "none", buf, sizeof(buf));
	cr_assert_str_eq(buf, "vdso: bad (Could not init.)");
	criu_error_lines("Error (a.c:1): only one\n", "none", buf, sizeof(buf));
	cr_assert_str_eq(buf, "only one");
	criu_error_lines("nothing wrong\nError without a place\n", "none", buf,
			 sizeof(buf));
	cr_assert_str_eq(buf, "none");
	criu_error_lines(NULL, "empty", buf, sizeof(buf));
	cr_assert_str_eq(buf, "empty");
}

Test(checkpoint, desc_round_trip)
{
	struct ckpt_desc d = {.id = strdup("c1"), .rootfs = strdup("/r")};
	struct ckpt_mount m[] = {{CKPT_MNT_BIND, strdup("/data")},
				 {CKPT_MNT_NULL, strdup("/proc/kcore")},
				 {CKPT_MNT_CGROUP, strdup("/sys/fs/cgroup")}};
	d.mounts = malloc(sizeof(m));
	memcpy(d.mounts, m, sizeof(m));
	d.mounts_n = 3;
	d.stdio[1] = strdup("file[1e:a]");
	d.stdio[2] = strdup("pipe:[42]");
	d.ext_netns = true;
	struct berth_error err = {0};
	cr_assert_eq(ckpt_desc_save(tdir, &d, &err), 0, "%s", err.msg);
	ckpt_desc_free(&d);

	struct ckpt_desc l = {0};
	cr_assert_eq(ckpt_desc_load(tdir, dir, &l, &err), 0, "%s", err.msg);
	cr_assert_str_eq(l.id, "c1");
	cr_assert_str_eq(l.rootfs, "/r");
	cr_assert_eq(l.mounts_n, 3);
	cr_assert_eq(l.mounts[0].kind, CKPT_MNT_BIND);
	cr_assert_str_eq(l.mounts[1].path, "/proc/kcore");
	cr_assert_eq(l.mounts[2].kind, CKPT_MNT_CGROUP);
	cr_assert_null(l.stdio[0]);
	cr_assert_str_eq(l.stdio[1], "file[1e:a]");
	cr_assert_str_eq(l.stdio[2], "pipe:[42]");
	cr_assert(l.ext_netns);
	ckpt_desc_free(&l);
}

Test(checkpoint, not_a_checkpoint)
{
	struct ckpt_desc d = {0};
	struct berth_error err = {0};
	int before = count_fds();
	for (int i = 0; i < 100; i++) {
		cr_assert_eq(ckpt_desc_load(tdir, dir, &d, &err), -ENOENT);
		ckpt_desc_free(&d);
	}
	cr_assert_eq(count_fds(), before);
	cr_assert(strstr(err.msg, "is not a berth checkpoint") != NULL, "%s",
		  err.msg);
	int fd =
	    openat(tdir, CKPT_DESC_FILE, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	cr_assert_eq(write(fd, "something else\n", 15), 15);
	close(fd);
	cr_assert_eq(ckpt_desc_load(tdir, dir, &d, &err), -ENOENT);
	ckpt_desc_free(&d);
}

Test(checkpoint, criu_not_found)
{
	char *path = NULL;
	struct berth_error err = {0};
	cr_assert_eq(criu_find("/nonexistent/criu", &path, &err), -ENOENT);
	cr_assert(strstr(err.msg, "criu not found (--criu /nonexistent/criu)"),
		  "%s", err.msg);
	cr_assert_null(path);
}
