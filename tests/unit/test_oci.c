/*
 * Unit tests for oci/: config.json parsing, validation messages and the
 * `berth spec` default.
 *
 * JSON in this file is written with single quotes for readability; sq()
 * turns them into double quotes (no test string needs a literal ').
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "oci/config.h"
#include "util/cleanup.h"

#define BASE	 "'ociVersion':'1.3.0','root':{'path':'rootfs'}"
#define PROC(x)	 "'process':{'args':['sh'],'cwd':'/'," x "}"
#define LINUX(x) "'linux':{" x "}"
#define RES(x)	 LINUX("'resources':{" x "}")
#define SCMP(x)	 LINUX("'seccomp':{" x "}")

static char *sq(const char *s)
{
	char *d = strdup(s);
	cr_assert_not_null(d);
	for (char *p = d; *p != '\0'; p++)
		if (*p == '\'')
			*p = '"';
	return d;
}

/* A whole config: @piece is either a full object or members added to BASE. */
static char *config(const char *piece)
{
	char *s = NULL;
	if (piece[0] == '{')
		return sq(piece);
	cr_assert(asprintf(&s, "{" BASE "%s%s}", piece[0] ? "," : "", piece) >
		  0);
	char *d = sq(s);
	free(s);
	return d;
}

static struct oci_spec *parse_ok(const char *piece)
{
	_cleanup_free_ char *json = config(piece);
	struct berth_error err = {0};
	struct oci_spec *spec = NULL;
	int r = oci_spec_parse(json, strlen(json), "config.json", &spec, &err);
	cr_assert_eq(r, 0, "parse failed: %s", err.msg);
	cr_assert_not_null(spec);
	return spec;
}

static void expect_bad(const char *piece, const char *msg)
{
	_cleanup_free_ char *json = config(piece);
	struct berth_error err = {0};
	struct oci_spec *spec = (struct oci_spec *)0x1;
	char want[BERTH_ERROR_MAX];

	snprintf(want, sizeof(want), "config.json: %s", msg);
	int r = oci_spec_parse(json, strlen(json), "config.json", &spec, &err);
	cr_assert_eq(r, -EINVAL, "expected -EINVAL, got %d for %s", r, json);
	cr_assert_eq(err.code, EINVAL);
	cr_assert_eq(spec, (struct oci_spec *)0x1, "ret_spec written on error");
	cr_assert_str_eq(err.msg, want, "for %s", json);
}

/* ---- the default config ---- */

static struct oci_spec *parse_default(bool rootless)
{
	char *json = NULL;
	struct berth_error err = {0};
	struct oci_spec *spec = NULL;

	cr_assert_eq(oci_spec_default_json(rootless, &json, &err), 0, "%s",
		     err.msg);
	size_t len = strlen(json);
	cr_assert_eq(json[len - 1], '\n');
	cr_assert_eq(oci_spec_parse(json, len, "config.json", &spec, &err), 0,
		     "%s", err.msg);
	free(json);
	return spec;
}

Test(oci_default, parses_with_runc_defaults)
{
	struct oci_spec *s = parse_default(false);
	struct oci_process *p = s->process;

	cr_assert_str_eq(s->oci_version, "1.3.0");
	cr_assert_str_eq(s->hostname, "berth");
	cr_assert_str_eq(s->root.path, "rootfs");
	cr_assert(s->root.readonly);
	cr_assert_not_null(p);
	cr_assert(p->terminal);
	cr_assert(p->no_new_privileges);
	cr_assert_str_eq(p->cwd, "/");
	cr_assert_str_eq(p->args[0], "sh");
	cr_assert_null(p->args[1]);
	cr_assert_str_eq(p->env[1], "TERM=xterm");
	cr_assert_eq(strncmp(p->env[0], "PATH=/usr/local/sbin:", 21), 0);
	cr_assert_eq(p->user.uid, 0);
	cr_assert_eq(p->rlimits_n, 1);
	cr_assert_str_eq(p->rlimits[0].type, "RLIMIT_NOFILE");
	cr_assert_eq(p->rlimits[0].resource, RLIMIT_NOFILE);
	cr_assert_eq(p->rlimits[0].soft, 1024);
	cr_assert_eq(p->rlimits[0].hard, 1024);
	cr_assert_not_null(p->capabilities);
	cr_assert_str_eq(p->capabilities->bounding[0], "CAP_AUDIT_WRITE");
	cr_assert_str_eq(p->capabilities->permitted[2], "CAP_NET_BIND_SERVICE");
	cr_assert_str_eq(p->capabilities->effective[1], "CAP_KILL");
	cr_assert_null(p->capabilities->ambient);
	cr_assert_eq(s->mounts_n, 7);
	cr_assert_str_eq(s->mounts[0].destination, "/proc");
	cr_assert_null(s->mounts[0].options);
	cr_assert_str_eq(s->mounts[2].destination, "/dev/pts");
	cr_assert_str_eq(s->mounts[2].options[5], "gid=5");
	cr_assert_str_eq(s->mounts[5].type, "sysfs");
	cr_assert_str_eq(s->mounts[6].destination, "/sys/fs/cgroup");
	oci_spec_free(s);
}

Test(oci_default, linux_section)
{
	struct oci_spec *s = parse_default(false);
	struct oci_linux *l = s->linux_;

	cr_assert_not_null(l);
	cr_assert_eq(l->namespaces_n, 6);
	cr_assert_not_null(oci_spec_namespace(s, OCI_NS_PID));
	cr_assert_not_null(oci_spec_namespace(s, OCI_NS_NETWORK));
	cr_assert_not_null(oci_spec_namespace(s, OCI_NS_CGROUP));
	cr_assert_null(oci_spec_namespace(s, OCI_NS_USER));
	cr_assert_null(oci_spec_namespace(s, OCI_NS_PID)->path);
	cr_assert_not_null(l->resources);
	cr_assert_eq(l->resources->devices_n, 1);
	cr_assert(!l->resources->devices[0].allow);
	cr_assert_str_eq(l->resources->devices[0].access, "rwm");
	cr_assert_null(l->resources->devices[0].type);
	cr_assert(!l->resources->devices[0].major.set);
	cr_assert_str_eq(l->masked_paths[0], "/proc/acpi");
	cr_assert_str_eq(l->readonly_paths[4], "/proc/sysrq-trigger");
	cr_assert_null(l->readonly_paths[5]);
	cr_assert_eq(l->uid_mappings_n, 0);
	oci_spec_free(s);
}

Test(oci_default, rootless)
{
	struct oci_spec *s = parse_default(true);
	struct oci_linux *l = s->linux_;

	cr_assert_not_null(oci_spec_namespace(s, OCI_NS_USER));
	cr_assert_null(oci_spec_namespace(s, OCI_NS_NETWORK));
	cr_assert_eq(l->uid_mappings_n, 1);
	cr_assert_eq(l->uid_mappings[0].container_id, 0);
	cr_assert_eq(l->uid_mappings[0].host_id, geteuid());
	cr_assert_eq(l->uid_mappings[0].size, 1);
	cr_assert_eq(l->gid_mappings[0].host_id, getegid());
	cr_assert_null(l->resources);
	cr_assert_str_eq(s->mounts[5].source, "/sys");
	cr_assert_str_eq(s->mounts[5].options[0], "rbind");
	for (char **o = s->mounts[2].options; *o != NULL; o++)
		cr_assert_neq(strncmp(*o, "gid=", 4), 0);
	oci_spec_free(s);
}

/* ---- a config exercising every field ---- */

static const char full_config[] =
    "{'ociVersion':'1.2.0',"
    "'process':{'terminal':false,'consoleSize':{'height':25,'width':80},"
    " 'user':{'uid':1000,'gid':1001,'umask':18,'additionalGids':[5,6,7]},"
    " 'args':['/bin/app','--flag'],'env':['A=1','B='],'cwd':'/srv',"
    " 'capabilities':{'bounding':['CAP_SYS_ADMIN'],"
    "  'inheritable':['CAP_CHOWN'],'ambient':['CAP_NET_RAW']},"
    " 'rlimits':[{'type':'RLIMIT_CORE','soft':0,'hard':0},"
    "  {'type':'RLIMIT_NPROC','soft':10,'hard':20}],"
    " 'apparmorProfile':'aa','selinuxLabel':'sl','noNewPrivileges':true,"
    " 'oomScoreAdj':0,"
    " 'scheduler':{'policy':'SCHED_DEADLINE','nice':-5,'priority':3,"
    "  'flags':['SCHED_FLAG_RECLAIM','SCHED_FLAG_UTIL_CLAMP_MAX'],"
    "  'runtime':100,'deadline':200,'period':300},"
    " 'ioPriority':{'class':'IOPRIO_CLASS_IDLE','priority':7},"
    " 'execCPUAffinity':{'initial':'0-3','final':'7'},"
    " 'unknownField':{'x':1}},"
    "'root':{'path':'/var/rootfs'},"
    "'hostname':'h','domainname':'example.org',"
    "'mounts':[{'destination':'/data','source':'/host/data','type':'none',"
    " 'options':['rbind','idmap'],"
    " 'uidMappings':[{'containerID':0,'hostID':100000,'size':65536}],"
    " 'gidMappings':[{'containerID':0,'hostID':200000,'size':10},"
    "  {'containerID':10,'hostID':300000,'size':5}]},"
    " {'destination':'relative/dest'}],"
    "'hooks':{'prestart':[{'path':'/bin/pre'}],"
    " 'createRuntime':[{'path':'/bin/cr','args':['cr','x'],"
    "   'env':['K=V'],'timeout':5}],"
    " 'createContainer':[{'path':'/bin/cc'}],"
    " 'startContainer':[{'path':'/bin/sc'}],"
    " 'poststart':[{'path':'/bin/ps1'},{'path':'/bin/ps2'}],"
    " 'poststop':[{'path':'/bin/pst'}]},"
    "'annotations':{'org.example.a':'1','b':'two'},"
    "'linux':{'namespaces':[{'type':'pid'},{'type':'network',"
    "  'path':'/var/run/netns/n1'},{'type':'mount'},{'type':'ipc'},"
    "  {'type':'uts'},{'type':'user'},{'type':'cgroup'},{'type':'time'}],"
    " 'uidMappings':[{'containerID':0,'hostID':1000,'size':1},"
    "  {'containerID':1,'hostID':100000,'size':65535}],"
    " 'gidMappings':[{'containerID':0,'hostID':1000,'size':65536}],"
    " 'timeOffsets':{'monotonic':{'secs':-10,'nanosecs':5},"
    "  'boottime':{'secs':86400}},"
    " 'devices':[{'type':'c','path':'/dev/fuse','major':10,'minor':229,"
    "   'fileMode':438,'uid':0,'gid':0},{'type':'p','path':'/dev/fifo'}],"
    " 'netDevices':{'eth1':{'name':'net0'},'eth2':{}},"
    " 'cgroupsPath':'/berth/c1',"
    " 'resources':{"
    "  'devices':[{'allow':false,'access':'rwm'},"
    "   {'allow':true,'type':'c','major':10,'minor':229,'access':'rw'}],"
    "  'memory':{'limit':536870912,'reservation':1024,'swap':-1,"
    "   'kernel':-1,'kernelTCP':7,'swappiness':0,'disableOOMKiller':true,"
    "   'useHierarchy':false,'checkBeforeUpdate':true},"
    "  'cpu':{'shares':1024,'quota':1000000,'burst':1000,'period':500000,"
    "   'realtimeRuntime':950000,'realtimePeriod':1000000,'cpus':'2-3',"
    "   'mems':'0-7','idle':1},"
    "  'pids':{'limit':32771},"
    "  'blockIO':{'weight':10,'leafWeight':20,"
    "   'weightDevice':[{'major':8,'minor':0,'weight':500,"
    "     'leafWeight':300},{'major':8,'minor':16,'weight':400}],"
    "   'throttleReadBpsDevice':[{'major':8,'minor':0,'rate':600}],"
    "   'throttleWriteBpsDevice':[{'major':8,'minor':1,'rate':601}],"
    "   'throttleReadIOPSDevice':[{'major':8,'minor':2,'rate':602}],"
    "   'throttleWriteIOPSDevice':[{'major':8,'minor':16,'rate':300}]},"
    "  'hugepageLimits':[{'pageSize':'2MB','limit':209715200}],"
    "  'network':{'classID':1048577,'priorities':[{'name':'eth0',"
    "   'priority':500},{'name':'eth1','priority':1000}]},"
    "  'rdma':{'mlx5_1':{'hcaHandles':3,'hcaObjects':10000}},"
    "  'unified':{'io.max':'259:0 rbps=2097152','memory.high':'max'}},"
    " 'rootfsPropagation':'rslave',"
    " 'seccomp':{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':38,"
    "  'architectures':['SCMP_ARCH_X86_64','SCMP_ARCH_X86'],"
    "  'flags':['SECCOMP_FILTER_FLAG_LOG','SECCOMP_FILTER_FLAG_TSYNC'],"
    "  'listenerPath':'/run/agent.sock','listenerMetadata':'meta',"
    "  'syscalls':[{'names':['read','write'],'action':'SCMP_ACT_ALLOW'},"
    "   {'names':['personality'],'action':'SCMP_ACT_ERRNO','errnoRet':1,"
    "    'args':[{'index':0,'value':8,'op':'SCMP_CMP_EQ'},"
    "     {'index':5,'value':255,'valueTwo':4,"
    "      'op':'SCMP_CMP_MASKED_EQ'}]},"
    "   {'names':['mkdir'],'action':'SCMP_ACT_NOTIFY'}]},"
    " 'sysctl':{'net.ipv4.ip_forward':'1','kernel.shmmax':'1024'},"
    " 'maskedPaths':['/proc/kcore'],'readonlyPaths':['/proc/sys'],"
    " 'mountLabel':'system_u:object_r:svirt_sandbox_file_t:s0',"
    " 'personality':{'domain':'LINUX32','flags':[]},"
    " 'intelRdt':{'closID':'guaranteed','l3CacheSchema':'L3:0=7f0',"
    "  'memBwSchema':'MB:0=20','schemata':['L2:0=f','MB:0=70'],"
    "  'enableMonitoring':true},"
    " 'memoryPolicy':{'mode':'MPOL_INTERLEAVE','nodes':'0-3',"
    "  'flags':['MPOL_F_STATIC_NODES']}},"
    "'windows':{'layerFolders':['C:\\\\x']},'solaris':{},'vm':{},"
    "'zos':{}}";

Test(oci_full, process)
{
	struct oci_spec *s = parse_ok(full_config);
	struct oci_process *p = s->process;

	cr_assert_str_eq(s->oci_version, "1.2.0");
	cr_assert(!p->terminal);
	cr_assert(p->console_size.set);
	cr_assert_eq(p->console_size.height, 25);
	cr_assert_eq(p->console_size.width, 80);
	cr_assert_eq(p->user.uid, 1000);
	cr_assert_eq(p->user.gid, 1001);
	cr_assert(p->user.umask.set);
	cr_assert_eq(p->user.umask.v, 18);
	cr_assert_eq(p->user.additional_gids_n, 3);
	cr_assert_eq(p->user.additional_gids[2], 7);
	cr_assert_str_eq(p->args[1], "--flag");
	cr_assert_str_eq(p->env[1], "B=");
	cr_assert_str_eq(p->cwd, "/srv");
	cr_assert_str_eq(p->capabilities->bounding[0], "CAP_SYS_ADMIN");
	cr_assert_null(p->capabilities->effective);
	cr_assert_str_eq(p->capabilities->ambient[0], "CAP_NET_RAW");
	cr_assert_eq(p->rlimits_n, 2);
	cr_assert_eq(p->rlimits[0].resource, RLIMIT_CORE);
	cr_assert_eq(p->rlimits[1].resource, RLIMIT_NPROC);
	cr_assert_eq(p->rlimits[1].hard, 20);
	cr_assert_str_eq(p->apparmor_profile, "aa");
	cr_assert_str_eq(p->selinux_label, "sl");
	cr_assert(p->oom_score_adj.set);
	cr_assert_eq(p->oom_score_adj.v, 0);
	oci_spec_free(s);
}

Test(oci_full, scheduler_ioprio_affinity)
{
	struct oci_spec *s = parse_ok(full_config);
	struct oci_process *p = s->process;

	cr_assert(p->scheduler.set);
	cr_assert_str_eq(p->scheduler.policy, "SCHED_DEADLINE");
	cr_assert_eq(p->scheduler.policy_num, 6);
	cr_assert(p->scheduler.nice.set);
	cr_assert_eq(p->scheduler.nice.v, -5);
	cr_assert_eq(p->scheduler.priority.v, 3);
	cr_assert_str_eq(p->scheduler.flags[1], "SCHED_FLAG_UTIL_CLAMP_MAX");
	cr_assert_eq(p->scheduler.runtime.v, 100);
	cr_assert_eq(p->scheduler.deadline.v, 200);
	cr_assert_eq(p->scheduler.period.v, 300);
	cr_assert(p->io_priority.set);
	cr_assert_str_eq(p->io_priority.class, "IOPRIO_CLASS_IDLE");
	cr_assert_eq(p->io_priority.class_num, 3);
	cr_assert_eq(p->io_priority.priority, 7);
	cr_assert_str_eq(p->exec_cpu_affinity.initial, "0-3");
	cr_assert_str_eq(p->exec_cpu_affinity.final, "7");
	oci_spec_free(s);
}

Test(oci_full, root_mounts_hooks_annotations)
{
	struct oci_spec *s = parse_ok(full_config);

	cr_assert_str_eq(s->root.path, "/var/rootfs");
	cr_assert(!s->root.readonly);
	cr_assert_str_eq(s->hostname, "h");
	cr_assert_str_eq(s->domainname, "example.org");
	cr_assert_eq(s->mounts_n, 2);
	cr_assert_str_eq(s->mounts[0].options[1], "idmap");
	cr_assert_eq(s->mounts[0].uid_mappings_n, 1);
	cr_assert_eq(s->mounts[0].uid_mappings[0].host_id, 100000);
	cr_assert_eq(s->mounts[0].uid_mappings[0].size, 65536);
	cr_assert_eq(s->mounts[0].gid_mappings_n, 2);
	cr_assert_eq(s->mounts[0].gid_mappings[1].container_id, 10);
	cr_assert_str_eq(s->mounts[1].destination, "relative/dest");
	cr_assert_null(s->mounts[1].source);
	cr_assert_eq(s->hooks.prestart.n, 1);
	cr_assert_str_eq(s->hooks.create_runtime.v[0].args[1], "x");
	cr_assert_str_eq(s->hooks.create_runtime.v[0].env[0], "K=V");
	cr_assert(s->hooks.create_runtime.v[0].timeout.set);
	cr_assert_eq(s->hooks.create_runtime.v[0].timeout.v, 5);
	cr_assert(!s->hooks.prestart.v[0].timeout.set);
	cr_assert_str_eq(s->hooks.create_container.v[0].path, "/bin/cc");
	cr_assert_str_eq(s->hooks.start_container.v[0].path, "/bin/sc");
	cr_assert_eq(s->hooks.poststart.n, 2);
	cr_assert_str_eq(s->hooks.poststart.v[1].path, "/bin/ps2");
	cr_assert_str_eq(s->hooks.poststop.v[0].path, "/bin/pst");
	cr_assert_eq(s->annotations_n, 2);
	cr_assert_str_eq(s->annotations[0].key, "org.example.a");
	cr_assert_str_eq(s->annotations[1].value, "two");
	oci_spec_free(s);
}

Test(oci_full, linux_basics)
{
	struct oci_spec *s = parse_ok(full_config);
	struct oci_linux *l = s->linux_;

	cr_assert_eq(l->namespaces_n, 8);
	cr_assert_str_eq(oci_spec_namespace(s, OCI_NS_NETWORK)->path,
			 "/var/run/netns/n1");
	cr_assert_not_null(oci_spec_namespace(s, OCI_NS_TIME));
	cr_assert_eq(l->uid_mappings_n, 2);
	cr_assert_eq(l->uid_mappings[1].host_id, 100000);
	cr_assert_eq(l->gid_mappings[0].size, 65536);
	cr_assert(l->time_offsets.monotonic.set);
	cr_assert_eq(l->time_offsets.monotonic.secs, -10);
	cr_assert_eq(l->time_offsets.monotonic.nanosecs, 5);
	cr_assert(l->time_offsets.boottime.set);
	cr_assert_eq(l->time_offsets.boottime.secs, 86400);
	cr_assert_eq(l->devices_n, 2);
	cr_assert_str_eq(l->devices[0].type, "c");
	cr_assert_eq(l->devices[0].major, 10);
	cr_assert_eq(l->devices[0].minor, 229);
	cr_assert_eq(l->devices[0].file_mode.v, 438);
	cr_assert(l->devices[0].uid.set);
	cr_assert(!l->devices[1].file_mode.set);
	cr_assert_eq(l->net_devices_n, 2);
	cr_assert_str_eq(l->net_devices[0].host_name, "eth1");
	cr_assert_str_eq(l->net_devices[0].name, "net0");
	cr_assert_str_eq(l->net_devices[1].name, "eth2");
	cr_assert_str_eq(l->cgroups_path, "/berth/c1");
	cr_assert_str_eq(l->rootfs_propagation, "rslave");
	cr_assert_eq(l->sysctl_n, 2);
	cr_assert_str_eq(l->sysctl[0].key, "net.ipv4.ip_forward");
	cr_assert_str_eq(l->masked_paths[0], "/proc/kcore");
	cr_assert_str_eq(l->readonly_paths[0], "/proc/sys");
	cr_assert_str_eq(l->mount_label,
			 "system_u:object_r:svirt_sandbox_file_t:s0");
	oci_spec_free(s);
}

Test(oci_full, resources)
{
	struct oci_spec *s = parse_ok(full_config);
	struct oci_resources *r = s->linux_->resources;

	cr_assert_eq(r->devices_n, 2);
	cr_assert(r->devices[1].allow);
	cr_assert_str_eq(r->devices[1].type, "c");
	cr_assert_eq(r->devices[1].minor.v, 229);
	cr_assert_eq(r->memory.limit.v, 536870912);
	cr_assert_eq(r->memory.swap.v, -1);
	cr_assert_eq(r->memory.kernel_tcp.v, 7);
	cr_assert(r->memory.swappiness.set);
	cr_assert_eq(r->memory.swappiness.v, 0);
	cr_assert(r->memory.disable_oom_killer.v);
	cr_assert(r->memory.use_hierarchy.set && !r->memory.use_hierarchy.v);
	cr_assert(r->memory.check_before_update.v);
	cr_assert_eq(r->cpu.shares.v, 1024);
	cr_assert_eq(r->cpu.quota.v, 1000000);
	cr_assert_eq(r->cpu.burst.v, 1000);
	cr_assert_eq(r->cpu.realtime_runtime.v, 950000);
	cr_assert_str_eq(r->cpu.cpus, "2-3");
	cr_assert_str_eq(r->cpu.mems, "0-7");
	cr_assert_eq(r->cpu.idle.v, 1);
	cr_assert_eq(r->pids.limit.v, 32771);
	cr_assert_eq(r->block_io.weight.v, 10);
	cr_assert_eq(r->block_io.leaf_weight.v, 20);
	cr_assert_eq(r->block_io.weight_device_n, 2);
	cr_assert(!r->block_io.weight_device[1].leaf_weight.set);
	cr_assert_eq(r->block_io.throttle_read_bps[0].rate, 600);
	cr_assert_eq(r->block_io.throttle_write_bps[0].minor, 1);
	cr_assert_eq(r->block_io.throttle_read_iops[0].rate, 602);
	cr_assert_eq(r->block_io.throttle_write_iops[0].major, 8);
	cr_assert_str_eq(r->hugepage_limits[0].page_size, "2MB");
	cr_assert_eq(r->hugepage_limits[0].limit, 209715200);
	cr_assert_eq(r->network.class_id.v, 1048577);
	cr_assert_eq(r->network.priorities_n, 2);
	cr_assert_str_eq(r->network.priorities[1].name, "eth1");
	cr_assert_eq(r->rdma_n, 1);
	cr_assert_str_eq(r->rdma[0].device, "mlx5_1");
	cr_assert_eq(r->rdma[0].hca_objects.v, 10000);
	cr_assert_eq(r->unified_n, 2);
	cr_assert_str_eq(r->unified[1].value, "max");
	oci_spec_free(s);
}

Test(oci_full, seccomp)
{
	struct oci_spec *s = parse_ok(full_config);
	struct oci_seccomp *sc = s->linux_->seccomp;

	cr_assert_eq(sc->default_action, OCI_SCMP_ACT_ERRNO);
	cr_assert_eq(sc->default_errno_ret.v, 38);
	cr_assert_str_eq(sc->architectures[1], "SCMP_ARCH_X86");
	cr_assert_str_eq(sc->flags[0], "SECCOMP_FILTER_FLAG_LOG");
	cr_assert_str_eq(sc->listener_path, "/run/agent.sock");
	cr_assert_str_eq(sc->listener_metadata, "meta");
	cr_assert_eq(sc->syscalls_n, 3);
	cr_assert_str_eq(sc->syscalls[0].names[1], "write");
	cr_assert_eq(sc->syscalls[0].action, OCI_SCMP_ACT_ALLOW);
	cr_assert(!sc->syscalls[0].errno_ret.set);
	cr_assert_eq(sc->syscalls[1].errno_ret.v, 1);
	cr_assert_eq(sc->syscalls[1].args_n, 2);
	cr_assert_eq(sc->syscalls[1].args[0].op, OCI_SCMP_CMP_EQ);
	cr_assert_eq(sc->syscalls[1].args[0].value, 8);
	cr_assert_eq(sc->syscalls[1].args[1].index, 5);
	cr_assert_eq(sc->syscalls[1].args[1].value_two, 4);
	cr_assert_eq(sc->syscalls[1].args[1].op, OCI_SCMP_CMP_MASKED_EQ);
	cr_assert_eq(sc->syscalls[2].action, OCI_SCMP_ACT_NOTIFY);
	oci_spec_free(s);
}

Test(oci_full, personality_rdt_mempolicy)
{
	struct oci_spec *s = parse_ok(full_config);
	struct oci_linux *l = s->linux_;

	cr_assert_str_eq(l->personality->domain, "LINUX32");
	cr_assert_not_null(l->personality->flags);
	cr_assert_null(l->personality->flags[0]);
	cr_assert_str_eq(l->intel_rdt->clos_id, "guaranteed");
	cr_assert_str_eq(l->intel_rdt->l3_cache_schema, "L3:0=7f0");
	cr_assert_str_eq(l->intel_rdt->mem_bw_schema, "MB:0=20");
	cr_assert_str_eq(l->intel_rdt->schemata[1], "MB:0=70");
	cr_assert(l->intel_rdt->enable_monitoring.v);
	cr_assert_str_eq(l->memory_policy->mode, "MPOL_INTERLEAVE");
	cr_assert_eq(l->memory_policy->mode_num, 3);
	cr_assert_str_eq(l->memory_policy->nodes, "0-3");
	cr_assert_str_eq(l->memory_policy->flags[0], "MPOL_F_STATIC_NODES");
	oci_spec_free(s);
}

Test(oci_parse, minimal_and_nulls)
{
	struct oci_spec *s = parse_ok("'process':null,'linux':{'seccomp':null,"
				      "'resources':{}},'hostname':null");

	cr_assert_null(s->process);
	cr_assert_null(s->hostname);
	cr_assert_not_null(s->linux_);
	cr_assert_null(s->linux_->seccomp);
	cr_assert_not_null(s->linux_->resources);
	cr_assert(!s->linux_->resources->memory.limit.set);
	cr_assert_eq(s->mounts_n, 0);
	oci_spec_free(s);
}

Test(oci_parse, ns_names_and_free_null)
{
	cr_assert_str_eq(oci_ns_type_name(OCI_NS_NETWORK), "network");
	cr_assert_str_eq(oci_ns_type_name(OCI_NS_TIME), "time");
	cr_assert_str_eq(oci_ns_type_name(OCI_NS_COUNT), "unknown");
	cr_assert_null(oci_spec_namespace(NULL, OCI_NS_PID));
	oci_spec_free(NULL);
}

/* ---- bad configs: each with its exact message ---- */

struct bad_case {
	const char *json;
	const char *msg;
};

/* clang-format off */
static struct bad_case bad_cases[] = {
	{ "'process':{'args':['sh',1],'cwd':'/'}",
	  ".process.args[1]: expected a string" },
	{ LINUX("'namespaces':[{'type':'pid'},{'type':'uts'},{'type':'foo'}]"),
	  ".linux.namespaces[2].type: unknown namespace type \"foo\"" },
	{ PROC("'user':{'uid':-1}"),
	  ".process.user.uid: expected an unsigned 32-bit integer" },
	{ PROC("'user':{'gid':4294967296}"),
	  ".process.user.gid: expected an unsigned 32-bit integer" },
	{ "{'root':{'path':'r'}}", ".ociVersion: required field is missing" },
	{ "{'ociVersion':1,'root':{'path':'r'}}",
	  ".ociVersion: expected a string" },
	{ "{'ociVersion':'2.0.0','root':{'path':'r'}}",
	  ".ociVersion: unsupported ociVersion \"2.0.0\": berth supports 1.x" },
	{ "{'ociVersion':'v1','root':{'path':'r'}}",
	  ".ociVersion: malformed version \"v1\" (expected e.g. 1.3.0)" },
	{ "{'ociVersion':'1.0.0'}", ".root: required field is missing" },
	{ "{'ociVersion':'1.0.0','root':{'readonly':true}}",
	  ".root.path: required field is missing" },
	{ "'process':{'cwd':'/'}", ".process.args: required field is missing" },
	{ "'process':{'args':[],'cwd':'/'}",
	  ".process.args: expected a non-empty array of strings" },
	{ "'process':{'args':['sh']}", ".process.cwd: required field is missing" },
	{ "'process':{'args':['sh'],'cwd':'tmp'}",
	  ".process.cwd: expected an absolute path, got \"tmp\"" },
	{ PROC("'rlimits':[{'type':'RLIMIT_FOO','soft':1,'hard':1}]"),
	  ".process.rlimits[0].type: unknown rlimit type \"RLIMIT_FOO\"" },
	{ PROC("'rlimits':[{'type':'RLIMIT_NOFILE','soft':1,'hard':1},"
	       "{'type':'RLIMIT_NOFILE','soft':2,'hard':2}]"),
	  ".process.rlimits[1].type: duplicate rlimit \"RLIMIT_NOFILE\"" },
	{ PROC("'rlimits':[{'type':'RLIMIT_NOFILE','soft':2048,'hard':1024}]"),
	  ".process.rlimits[0]: soft limit 2048 is greater than hard limit 1024" },
	{ PROC("'rlimits':[{'type':'RLIMIT_NOFILE','soft':1}]"),
	  ".process.rlimits[0].hard: required field is missing" },
	{ PROC("'capabilities':{'bounding':['CAP_KILL','cap_kill']}"),
	  ".process.capabilities.bounding[1]: unknown capability \"cap_kill\" "
	  "(expected a name like CAP_SYS_ADMIN)" },
	{ PROC("'capabilities':{'effective':['SYS_ADMIN']}"),
	  ".process.capabilities.effective[0]: unknown capability "
	  "\"SYS_ADMIN\" (expected a name like CAP_SYS_ADMIN)" },
	{ PROC("'capabilities':{'ambient':['CAP_FOO']}"),
	  ".process.capabilities.ambient[0]: unknown capability \"CAP_FOO\" "
	  "(expected a name like CAP_SYS_ADMIN)" },
	{ PROC("'env':['A=1','FOO']"),
	  ".process.env[1]: expected \"NAME=value\", got \"FOO\"" },
	{ PROC("'oomScoreAdj':1001"),
	  ".process.oomScoreAdj: expected an integer between -1000 and 1000" },
	{ PROC("'terminal':'yes'"), ".process.terminal: expected a boolean" },
	{ PROC("'user':{'additionalGids':[1,'x']}"),
	  ".process.user.additionalGids[1]: expected an unsigned 32-bit "
	  "integer" },
	{ PROC("'scheduler':{'policy':'SCHED_FAST'}"),
	  ".process.scheduler.policy: unknown scheduler policy \"SCHED_FAST\"" },
	{ PROC("'scheduler':{'policy':'SCHED_OTHER','nice':20}"),
	  ".process.scheduler.nice: expected an integer between -20 and 19" },
	{ PROC("'scheduler':{'policy':'SCHED_OTHER','flags':['SCHED_FLAG_X']}"),
	  ".process.scheduler.flags[0]: unknown scheduler flag "
	  "\"SCHED_FLAG_X\"" },
	{ PROC("'ioPriority':{'class':'IOPRIO_CLASS_NONE','priority':0}"),
	  ".process.ioPriority.class: unknown I/O priority class "
	  "\"IOPRIO_CLASS_NONE\"" },
	{ PROC("'ioPriority':{'class':'IOPRIO_CLASS_BE','priority':8}"),
	  ".process.ioPriority.priority: expected an integer between 0 and 7" },
	{ "'mounts':[{'source':'x'}]",
	  ".mounts[0].destination: required field is missing" },
	{ "'mounts':{}", ".mounts: expected an array" },
	{ "'mounts':[{'destination':'/a','gidMappings':[{'containerID':0,"
	  "'hostID':10,'size':5},{'containerID':5,'hostID':12,'size':1}]}]",
	  ".mounts[0].gidMappings[1]: host ID range overlaps entry 0" },
	{ LINUX("'namespaces':[{'type':'pid'},{'type':'pid'}]"),
	  ".linux.namespaces[1].type: duplicate namespace type \"pid\"" },
	{ LINUX("'namespaces':[{'type':'network','path':'proc/1/ns/net'}]"),
	  ".linux.namespaces[0].path: expected an absolute path, got "
	  "\"proc/1/ns/net\"" },
	{ LINUX("'uidMappings':[{'containerID':0,'hostID':1000,'size':0}]"),
	  ".linux.uidMappings[0].size: must be greater than 0" },
	{ LINUX("'uidMappings':[{'containerID':0,'hostID':1000,'size':10},"
		"{'containerID':5,'hostID':5000,'size':10}]"),
	  ".linux.uidMappings[1]: container ID range overlaps entry 0" },
	{ LINUX("'gidMappings':[{'containerID':4294967295,'hostID':1,"
		"'size':2}]"),
	  ".linux.gidMappings[0]: containerID + size exceeds the 32-bit ID "
	  "range" },
	{ LINUX("'uidMappings':[{'containerID':0,'size':1}]"),
	  ".linux.uidMappings[0].hostID: required field is missing" },
	{ LINUX("'devices':[{'type':'x','path':'/dev/x'}]"),
	  ".linux.devices[0].type: unknown device type \"x\"" },
	{ LINUX("'devices':[{'type':'p','path':'dev/fifo'}]"),
	  ".linux.devices[0].path: expected an absolute path, got \"dev/fifo\"" },
	{ LINUX("'devices':[{'type':'c','path':'/dev/fuse','minor':229}]"),
	  ".linux.devices[0]: major is required for device type \"c\"" },
	{ LINUX("'devices':[{'type':'b','path':'/dev/sda','major':8}]"),
	  ".linux.devices[0]: minor is required for device type \"b\"" },
	{ "'hooks':{'prestart':[{'args':['x']}]}",
	  ".hooks.prestart[0].path: required field is missing" },
	{ "'hooks':{'poststop':[{'path':'bin/true'}]}",
	  ".hooks.poststop[0].path: expected an absolute path, got \"bin/true\"" },
	{ "'hooks':{'createRuntime':[{'path':'/bin/true','timeout':0}]}",
	  ".hooks.createRuntime[0].timeout: expected an integer >= 1" },
	{ SCMP("'defaultAction':'SCMP_ACT_FOO'"),
	  ".linux.seccomp.defaultAction: unknown seccomp action "
	  "\"SCMP_ACT_FOO\"" },
	{ SCMP("'architectures':['SCMP_ARCH_X86_64']"),
	  ".linux.seccomp.defaultAction: required field is missing" },
	{ SCMP("'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['read'],"
	       "'action':'SCMP_ACT_DENY'}]"),
	  ".linux.seccomp.syscalls[0].action: unknown seccomp action "
	  "\"SCMP_ACT_DENY\"" },
	{ SCMP("'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['read'],"
	       "'action':'SCMP_ACT_ERRNO','args':[{'index':0,'value':1,"
	       "'op':'SCMP_CMP_XX'}]}]"),
	  ".linux.seccomp.syscalls[0].args[0].op: unknown seccomp operator "
	  "\"SCMP_CMP_XX\"" },
	{ SCMP("'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['read'],"
	       "'action':'SCMP_ACT_ERRNO','args':[{'index':6,'value':1,"
	       "'op':'SCMP_CMP_EQ'}]}]"),
	  ".linux.seccomp.syscalls[0].args[0].index: expected an integer "
	  "between 0 and 5" },
	{ SCMP("'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{"
	       "'action':'SCMP_ACT_ERRNO'}]"),
	  ".linux.seccomp.syscalls[0].names: required field is missing" },
	{ SCMP("'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':[],"
	       "'action':'SCMP_ACT_ERRNO'}]"),
	  ".linux.seccomp.syscalls[0].names: expected a non-empty array of "
	  "strings" },
	{ SCMP("'defaultAction':'SCMP_ACT_ALLOW','defaultErrnoRet':1"),
	  ".linux.seccomp.defaultErrnoRet: only valid with SCMP_ACT_ERRNO or "
	  "SCMP_ACT_TRACE" },
	{ SCMP("'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['read'],"
	       "'action':'SCMP_ACT_KILL','errnoRet':1}]"),
	  ".linux.seccomp.syscalls[0].errnoRet: only valid with SCMP_ACT_ERRNO "
	  "or SCMP_ACT_TRACE" },
	{ SCMP("'defaultAction':'SCMP_ACT_ALLOW','flags':['SECCOMP_FLAG_X']"),
	  ".linux.seccomp.flags[0]: unknown seccomp flag \"SECCOMP_FLAG_X\"" },
	{ SCMP("'defaultAction':'SCMP_ACT_ALLOW','architectures':['x86_64']"),
	  ".linux.seccomp.architectures[0]: unknown seccomp architecture "
	  "\"x86_64\"" },
	{ LINUX("'personality':{'domain':'BSD'}"),
	  ".linux.personality.domain: unknown personality domain \"BSD\"" },
	{ LINUX("'memoryPolicy':{'mode':'MPOL_RANDOM'}"),
	  ".linux.memoryPolicy.mode: unknown memory policy mode "
	  "\"MPOL_RANDOM\"" },
	{ LINUX("'memoryPolicy':{'mode':'MPOL_BIND','nodes':'0',"
		"'flags':['MPOL_F_NODE']}"),
	  ".linux.memoryPolicy.flags[0]: unknown memory policy flag "
	  "\"MPOL_F_NODE\"" },
	{ LINUX("'rootfsPropagation':'weird'"),
	  ".linux.rootfsPropagation: unknown rootfs propagation \"weird\"" },
	{ LINUX("'maskedPaths':['/proc/acpi','proc/kcore']"),
	  ".linux.maskedPaths[1]: expected an absolute path, got "
	  "\"proc/kcore\"" },
	{ LINUX("'readonlyPaths':['sys']"),
	  ".linux.readonlyPaths[0]: expected an absolute path, got \"sys\"" },
	{ LINUX("'timeOffsets':{'realtime':{'secs':1}}"),
	  ".linux.timeOffsets.realtime: unknown clock (expected monotonic or "
	  "boottime)" },
	{ LINUX("'timeOffsets':{'boottime':{'nanosecs':1000000000}}"),
	  ".linux.timeOffsets.boottime.nanosecs: expected an integer between "
	  "0 and 999999999" },
	{ "'hostname':'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaa'",
	  ".hostname: longer than 64 characters" },
	/* issue 10: the kernel's 64 bytes, RFC 1123's characters */
	{ "'hostname':'a\\nb'",
	  ".hostname: invalid name \"a\\nb\": only letters, digits, "
	  "hyphens and dots (RFC 1123)" },
	{ "'hostname':'a_b'",
	  ".hostname: invalid name \"a_b\": only letters, digits, hyphens "
	  "and dots (RFC 1123)" },
	{ "'hostname':'-ab'",
	  ".hostname: invalid name \"-ab\": a label starts or ends with a "
	  "hyphen (RFC 1123)" },
	{ "'hostname':'a..b'",
	  ".hostname: invalid name \"a..b\": a dot-separated label is empty "
	  "or longer than 63 characters (RFC 1123)" },
	{ "'domainname':'example.org.'",
	  ".domainname: invalid name \"example.org.\": a dot-separated label "
	  "is empty or longer than 63 characters (RFC 1123)" },
	{ "'domainname':'a b'",
	  ".domainname: invalid name \"a b\": only letters, digits, hyphens "
	  "and dots (RFC 1123)" },
	{ RES("'cpu':{'cpus':'0\\',\\'mems\\':\\'0'}"),
	  ".linux.resources.cpu.cpus: expected a list like \"0-3,7\", got "
	  "\"0\",\"mems\":\"0\"" },
	{ RES("'cpu':{'mems':'0\\n1'}"),
	  ".linux.resources.cpu.mems: expected a list like \"0-3,7\", got "
	  "\"0\\n1\"" },
	{ "'annotations':{'org.example.key':1}",
	  ".annotations[\"org.example.key\"]: expected a string" },
	{ LINUX("'sysctl':{'net.ipv4.ip_forward':true}"),
	  ".linux.sysctl[\"net.ipv4.ip_forward\"]: expected a string" },
	{ "'linux':[]", ".linux: expected an object" },
	{ RES("'memory':{'limit':'1G'}"),
	  ".linux.resources.memory.limit: expected a 64-bit integer" },
	{ RES("'memory':{'swappiness':101}"),
	  ".linux.resources.memory.swappiness: expected an integer between 0 "
	  "and 100" },
	{ RES("'blockIO':{'weight':70000}"),
	  ".linux.resources.blockIO.weight: expected an unsigned 16-bit "
	  "integer" },
	{ RES("'blockIO':{'weightDevice':[{'major':8,'minor':0}]}"),
	  ".linux.resources.blockIO.weightDevice[0]: expected weight or "
	  "leafWeight" },
	{ RES("'devices':[{'allow':true,'access':'rwx'}]"),
	  ".linux.resources.devices[0].access: expected a combination of r, w "
	  "and m, got \"rwx\"" },
	{ RES("'devices':[{'access':'r'}]"),
	  ".linux.resources.devices[0].allow: required field is missing" },
	{ RES("'devices':[{'allow':true,'type':'x'}]"),
	  ".linux.resources.devices[0].type: unknown device cgroup type \"x\"" },
	{ RES("'rdma':{'mlx5_1':{}}"),
	  ".linux.resources.rdma.mlx5_1: expected hcaHandles or hcaObjects" },
	{ RES("'pids':{'limit':1.5}"),
	  ".linux.resources.pids.limit: expected a 64-bit integer" },
	{ RES("'cpu':{'shares':-1}"),
	  ".linux.resources.cpu.shares: expected an unsigned 64-bit integer" },
	{ RES("'network':{'priorities':[{'name':'eth0'}]}"),
	  ".linux.resources.network.priorities[0].priority: required field is "
	  "missing" },
};
/* clang-format on */

/* Criterion re-executes the test binary for each test, so parameters are
 * indexes into bad_cases rather than pointers. */
ParameterizedTestParameters(oci_bad, message)
{
	static size_t idx[ARRAY_SIZE(bad_cases)];

	for (size_t i = 0; i < ARRAY_SIZE(idx); i++)
		idx[i] = i;
	return cr_make_param_array(size_t, idx, ARRAY_SIZE(idx));
}

ParameterizedTest(size_t *i, oci_bad, message)
{
	expect_bad(bad_cases[*i].json, bad_cases[*i].msg);
}

Test(oci_bad, too_many_id_mappings)
{
	size_t cap = 341 * 64 + 256, len = 0;
	_cleanup_free_ char *s = malloc(cap);

	len += (size_t)snprintf(s, cap, "'linux':{'uidMappings':[");
	for (int i = 0; i < 341; i++)
		len += (size_t)snprintf(s + len, cap - len,
					"%s{'containerID':%d,'hostID':%d,"
					"'size':1}",
					i ? "," : "", i, 1000 + i);
	snprintf(s + len, cap - len, "]}");
	expect_bad(s, ".linux.uidMappings: 341 entries, the kernel allows at "
		      "most 340");
}

Test(oci_bad, top_level_and_syntax)
{
	struct berth_error err = {0};
	struct oci_spec *spec = NULL;

	cr_assert_eq(oci_spec_parse("[]", 2, "c.json", &spec, &err), -EINVAL);
	cr_assert_str_eq(err.msg,
			 "c.json: expected a JSON object at the top level");
	cr_assert_eq(oci_spec_parse("{\"a\":", 5, "c.json", &spec, &err),
		     -EINVAL);
	cr_assert(strstr(err.msg, "c.json: invalid JSON at line 1, column ") ==
		      err.msg,
		  "%s", err.msg);
	const char *dup = "{\"ociVersion\":\"1.0.0\",\"ociVersion\":\"1.0.0\"}";
	cr_assert_eq(oci_spec_parse(dup, strlen(dup), "c.json", &spec, &err),
		     -EINVAL);
	cr_assert(strstr(err.msg, "duplicate object key") != NULL, "%s",
		  err.msg);
	cr_assert_null(spec);
}

/* ---- loading from a file ---- */

static char tmpdir[64];

static void make_tmpdir(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_oci.XXXXXX");
	cr_assert_not_null(mkdtemp(tmpdir));
}

static void remove_tmpdir(void)
{
	char p[128];
	snprintf(p, sizeof(p), "%s/config.json", tmpdir);
	unlink(p);
	rmdir(tmpdir);
}

static void write_config(const char *path, const char *data)
{
	FILE *f = fopen(path, "we");
	cr_assert_not_null(f);
	fputs(data, f);
	fclose(f);
}

TestSuite(oci_load, .init = make_tmpdir, .fini = remove_tmpdir);

Test(oci_load, good_file)
{
	char path[128], *json = NULL;
	struct berth_error err = {0};
	struct oci_spec *spec = NULL;

	snprintf(path, sizeof(path), "%s/config.json", tmpdir);
	cr_assert_eq(oci_spec_default_json(false, &json, &err), 0);
	write_config(path, json);
	free(json);
	cr_assert_eq(oci_spec_load(path, &spec, &err), 0, "%s", err.msg);
	cr_assert_str_eq(spec->hostname, "berth");
	oci_spec_free(spec);
}

Test(oci_load, missing_file)
{
	char path[128];
	struct berth_error err = {0};
	struct oci_spec *spec = NULL;
	char want[256];

	snprintf(path, sizeof(path), "%s/nope.json", tmpdir);
	snprintf(want, sizeof(want),
		 "open config.json '%s': no such file or directory", path);
	cr_assert_eq(oci_spec_load(path, &spec, &err), -ENOENT);
	cr_assert_eq(err.code, ENOENT);
	cr_assert_str_eq(err.msg, want);
	cr_assert_null(spec);
}

Test(oci_load, bad_file_names_path)
{
	char path[128], want[256];
	struct berth_error err = {0};
	struct oci_spec *spec = NULL;

	snprintf(path, sizeof(path), "%s/config.json", tmpdir);
	write_config(path, "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":7}}");
	snprintf(want, sizeof(want), "%s: .root.path: expected a string", path);
	cr_assert_eq(oci_spec_load(path, &spec, &err), -EINVAL);
	cr_assert_str_eq(err.msg, want);
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	cr_assert_not_null(d);
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n;
}

Test(oci_load, no_fd_leak_on_errors)
{
	char bad[128], missing[128];
	struct berth_error err;
	struct oci_spec *spec = NULL;

	snprintf(bad, sizeof(bad), "%s/config.json", tmpdir);
	snprintf(missing, sizeof(missing), "%s/missing.json", tmpdir);
	write_config(bad, "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},"
			  "\"process\":{\"args\":[\"sh\"],\"cwd\":\"x\"}}");
	int before = count_fds();
	for (int i = 0; i < 100; i++) {
		cr_assert_eq(oci_spec_load(missing, &spec, &err), -ENOENT);
		cr_assert_eq(oci_spec_load(bad, &spec, &err), -EINVAL);
	}
	cr_assert_eq(count_fds(), before);
	cr_assert_null(spec);
}

/* ---- security-relevant refusals (issue "No way out"): each names the JSON
 * path.  Some repeat a bad_cases entry for another set or field. ---- */

/* clang-format off */
static struct bad_case security_cases[] = {
	{ PROC("'capabilities':{'permitted':['CAP_SYS_ADMIN','CAP_NOPE']}"),
	  ".process.capabilities.permitted[1]: unknown capability \"CAP_NOPE\" "
	  "(expected a name like CAP_SYS_ADMIN)" },
	{ PROC("'capabilities':{'inheritable':['CAP_KILL ']}"),
	  ".process.capabilities.inheritable[0]: unknown capability "
	  "\"CAP_KILL \" (expected a name like CAP_SYS_ADMIN)" },
	{ PROC("'capabilities':{'bounding':['']}"),
	  ".process.capabilities.bounding[0]: unknown capability \"\" "
	  "(expected a name like CAP_SYS_ADMIN)" },
	{ SCMP("'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['read'],"
	       "'action':'SCMP_ACT_ERRNO'},{'names':['write'],"
	       "'action':'allow'}]"),
	  ".linux.seccomp.syscalls[1].action: unknown seccomp action "
	  "\"allow\"" },
	{ SCMP("'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['read'],"
	       "'action':'SCMP_ACT_ERRNO','args':[{'index':0,'value':1,"
	       "'op':'SCMP_CMP_EQ'},{'index':1,'value':1,'op':'=='}]}]"),
	  ".linux.seccomp.syscalls[0].args[1].op: unknown seccomp operator "
	  "\"==\"" },
	{ SCMP("'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['read'],"
	       "'action':'SCMP_ACT_ERRNO','args':[{'index':-1,'value':1,"
	       "'op':'SCMP_CMP_EQ'}]}]"),
	  ".linux.seccomp.syscalls[0].args[0].index: expected an unsigned "
	  "32-bit integer" },
	{ LINUX("'uidMappings':[{'containerID':0,'hostID':100000,'size':100},"
		"{'containerID':1000,'hostID':100050,'size':10}]"),
	  ".linux.uidMappings[1]: host ID range overlaps entry 0" },
	{ LINUX("'gidMappings':[{'containerID':0,'hostID':100000,'size':10},"
		"{'containerID':100,'hostID':200000,'size':1},"
		"{'containerID':9,'hostID':300000,'size':1}]"),
	  ".linux.gidMappings[2]: container ID range overlaps entry 0" },
	{ LINUX("'gidMappings':[{'containerID':0,'hostID':100000,'size':1},"
		"{'containerID':1,'hostID':100000,'size':1}]"),
	  ".linux.gidMappings[1]: host ID range overlaps entry 0" },
	{ LINUX("'maskedPaths':['../etc/shadow']"),
	  ".linux.maskedPaths[0]: expected an absolute path, got "
	  "\"../etc/shadow\"" },
	{ LINUX("'maskedPaths':['']"),
	  ".linux.maskedPaths[0]: expected an absolute path, got \"\"" },
	{ LINUX("'readonlyPaths':['/proc/sys','proc/sysrq-trigger']"),
	  ".linux.readonlyPaths[1]: expected an absolute path, got "
	  "\"proc/sysrq-trigger\"" },
};
/* clang-format on */

ParameterizedTestParameters(oci_bad_security, message)
{
	static size_t idx[ARRAY_SIZE(security_cases)];

	for (size_t i = 0; i < ARRAY_SIZE(idx); i++)
		idx[i] = i;
	return cr_make_param_array(size_t, idx, ARRAY_SIZE(idx));
}

ParameterizedTest(size_t *i, oci_bad_security, message)
{
	expect_bad(security_cases[*i].json, security_cases[*i].msg);
}

/* "'linux':{'KEY':[N entries]}" with distinct, non-overlapping ranges */
static char *many_mappings(const char *key, int n)
{
	size_t cap = (size_t)n * 64 + 256, len = 0;
	char *s = malloc(cap);

	cr_assert_not_null(s);
	len += (size_t)snprintf(s, cap, "'linux':{'%s':[", key);
	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(s + len, cap - len,
					"%s{'containerID':%d,'hostID':%d,"
					"'size':1}",
					i ? "," : "", i, 100000 + i);
	snprintf(s + len, cap - len, "]}");
	return s;
}

Test(oci_bad_security, too_many_gid_mappings)
{
	_cleanup_free_ char *s = many_mappings("gidMappings", 341);
	expect_bad(s, ".linux.gidMappings: 341 entries, the kernel allows at "
		      "most 340");
}

Test(oci_bad_security, mappings_limit_is_340)
{
	_cleanup_free_ char *u = many_mappings("uidMappings", 340);
	struct oci_spec *spec = parse_ok(u);
	oci_spec_free(spec);
	_cleanup_free_ char *g = many_mappings("gidMappings", 340);
	spec = parse_ok(g);
	oci_spec_free(spec);
}
