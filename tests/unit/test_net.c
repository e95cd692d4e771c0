#include <criterion/criterion.h>

#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "namespaces/net.h"
#include "tests/unit/testutil.h"

TestSuite(net, .timeout = 20);

/* Flags of "lo" in our network namespace, -errno on failure. */
static int lo_flags(void)
{
	struct ifreq ifr = {0};
	strcpy(ifr.ifr_name, "lo");
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	int r = ioctl(s, SIOCGIFFLAGS, &ifr) < 0 ? -errno : ifr.ifr_flags;
	close(s);
	return r;
}

/* Run @fn in a child in a new network namespace; its exit status. */
static int in_new_netns(int (*fn)(void))
{
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0)
		_exit(unshare(CLONE_NEWNET) < 0 ? 100 : fn());
	int st;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static int child_up(void)
{
	CK(lo_flags() >= 0 && !(lo_flags() & IFF_UP));
	CKR(ns_loopback_up(&e_));
	CK(lo_flags() & IFF_UP);
	/* Already up: still fine. */
	CKR(ns_loopback_up(&e_));
	CK(lo_flags() & IFF_UP);
	return 0;
}

Test(net, loopback_up)
{
	if (geteuid() != 0)
		cr_skip_test("needs root");
	cr_assert_eq(in_new_netns(child_up), 0);
}

/* Without CAP_NET_ADMIN the kernel's answer is an error that names the
 * call; and no fd stays behind, however often it fails. */
static int child_eperm(void)
{
	CK(setresuid(65534, 65534, 65534) == 0);
	int before = count_fds();
	for (int i = 0; i < 100; i++) {
		struct berth_error err = {0};
		CK(ns_loopback_up(&err) == -EPERM);
		/* any case: the errno texts may follow runc's */
		CK(strcasecmp(err.msg, "bring lo up: RTM_NEWLINK: "
				       "operation not permitted") == 0);
	}
	CK(count_fds() == before);
	CK(!(lo_flags() & IFF_UP));
	return 0;
}

Test(net, loopback_up_without_cap_net_admin)
{
	if (geteuid() != 0)
		cr_skip_test("needs root");
	cr_assert_eq(in_new_netns(child_eperm), 0);
}

Test(net, interface_names)
{
	cr_assert(ns_ifname_valid("eth0", false));
	cr_assert(ns_ifname_valid("fifteen-bytes-x", false));
	cr_assert(!ns_ifname_valid("sixteen-bytes-xx", false));
	cr_assert(!ns_ifname_valid("", false));
	cr_assert(!ns_ifname_valid(".", false));
	cr_assert(!ns_ifname_valid("..", false));
	cr_assert(!ns_ifname_valid("a/b", false));
	cr_assert(!ns_ifname_valid("a:b", false));
	cr_assert(!ns_ifname_valid("a b", false));
	cr_assert(!ns_ifname_valid("eth%d", false));
	cr_assert(ns_ifname_valid("eth%d", true));
	cr_assert(!ns_ifname_valid("eth%s", true));
	cr_assert(!ns_ifname_valid("e%d%d", true));
}
