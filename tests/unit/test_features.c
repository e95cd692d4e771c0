/*
 * runtime/features.c and oci/features.c: the features document is checked
 * against the code it describes.  Every seccomp action, operator,
 * architecture and supported flag it advertises is parsed from a
 * config.json and compiled by seccomp_plan_build(); every mount option is
 * one mount_opts_parse() recognises (not passed on as filesystem data).
 */
#include <criterion/criterion.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oci/config.h"
#include "runtime/features.h"
#include "runtime/process/seccomp.h"
#include "runtime/rootfs/mount_opts.h"
#include "util/cleanup.h"

TestSuite(features, .timeout = 30);

static const struct rt_context ctx = {0};

static json_t *features(void)
{
	_cleanup_free_ char *s = NULL;
	struct berth_error err = {0};
	cr_assert_eq(rt_features(&ctx, "0.1.0", "abc", &s, &err), 0, "%s",
		     err.msg);
	json_error_t je;
	json_t *doc = json_loads(s, 0, &je);
	cr_assert_not_null(doc, "not JSON: %s", je.text);
	return doc;
}

static json_t *at(json_t *doc, const char *a, const char *b, const char *c)
{
	json_t *v = json_object_get(doc, a);
	if (v != NULL && b != NULL)
		v = json_object_get(v, b);
	if (v != NULL && c != NULL)
		v = json_object_get(v, c);
	cr_assert_not_null(v, "missing .%s.%s.%s", a, b ? b : "", c ? c : "");
	return v;
}

/* Parse a config whose linux.seccomp is @seccomp (JSON) and compile it. */
static void compiles(const char *seccomp, const char *what)
{
	_cleanup_free_ char *json = NULL;
	struct oci_spec *spec = NULL;
	struct seccomp_plan *p = NULL;
	struct berth_error err = {0};

	cr_assert(asprintf(&json,
			   "{\"ociVersion\":\"1.3.0\",\"root\":{\"path\":"
			   "\"rootfs\"},\"linux\":{\"seccomp\":%s}}",
			   seccomp) > 0);
	cr_assert_eq(
	    oci_spec_parse(json, strlen(json), "config.json", &spec, &err), 0,
	    "%s: parse: %s", what, err.msg);
	cr_assert_eq(seccomp_plan_build(&ctx, spec->linux_->seccomp, &p, &err),
		     0, "%s: seccomp_plan_build: %s", what, err.msg);
	seccomp_plan_free(p);
	oci_spec_free(spec);
}

#define NOTIFY_PATH "\"listenerPath\":\"/run/berth-none.sock\""

Test(features, every_action_compiles)
{
	json_t *doc = features(), *v;
	size_t i;
	json_array_foreach(at(doc, "linux", "seccomp", "actions"), i, v)
	{
		const char *a = json_string_value(v);
		char sc[512];
		snprintf(sc, sizeof(sc),
			 "{\"defaultAction\":\"SCMP_ACT_ALLOW\",%s"
			 "\"syscalls\":[{\"names\":[\"getppid\"],"
			 "\"action\":\"%s\"}]}",
			 strcmp(a, "SCMP_ACT_NOTIFY") == 0 ? NOTIFY_PATH ","
							   : "",
			 a);
		compiles(sc, a);
	}
	cr_assert_geq(i, 9);
	json_decref(doc);
}

Test(features, every_operator_compiles)
{
	json_t *doc = features(), *v;
	size_t i;
	json_array_foreach(at(doc, "linux", "seccomp", "operators"), i, v)
	{
		char sc[512];
		snprintf(sc, sizeof(sc),
			 "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":"
			 "[{\"names\":[\"kill\"],\"action\":\"SCMP_ACT_ERRNO\","
			 "\"args\":[{\"index\":1,\"value\":9,\"valueTwo\":9,"
			 "\"op\":\"%s\"}]}]}",
			 json_string_value(v));
		compiles(sc, json_string_value(v));
	}
	cr_assert_eq(i, 7);
	json_decref(doc);
}

Test(features, every_arch_compiles)
{
	json_t *doc = features(), *v;
	size_t i;
	bool native = false;
	json_array_foreach(at(doc, "linux", "seccomp", "archs"), i, v)
	{
		char sc[512];
		snprintf(
		    sc, sizeof(sc),
		    "{\"defaultAction\":\"SCMP_ACT_ERRNO\","
		    "\"architectures\":[\"%s\"],\"syscalls\":[{\"names\":"
		    "[\"read\",\"write\"],\"action\":\"SCMP_ACT_ALLOW\"}]}",
		    json_string_value(v));
		compiles(sc, json_string_value(v));
		native = native ||
			 strcmp(json_string_value(v), "SCMP_ARCH_X86_64") == 0;
	}
#ifdef __x86_64__
	cr_assert(native, "SCMP_ARCH_X86_64 not advertised");
#endif
	(void)native;
	json_decref(doc);
}

Test(features, every_supported_flag_compiles_and_is_known)
{
	json_t *doc = features(), *v, *k;
	json_t *known = at(doc, "linux", "seccomp", "knownFlags");
	size_t i, j;
	json_array_foreach(at(doc, "linux", "seccomp", "supportedFlags"), i, v)
	{
		const char *f = json_string_value(v);
		bool notify = strstr(f, "WAIT_KILLABLE_RECV") != NULL;
		bool found = false;
		char sc[512];
		snprintf(sc, sizeof(sc),
			 "{\"defaultAction\":\"SCMP_ACT_ALLOW\",%s\"flags\":"
			 "[\"%s\"],\"syscalls\":[{\"names\":[\"getppid\"],"
			 "\"action\":\"%s\"}]}",
			 notify ? NOTIFY_PATH "," : "", f,
			 notify ? "SCMP_ACT_NOTIFY" : "SCMP_ACT_ERRNO");
		compiles(sc, f);
		json_array_foreach(known, j, k) found =
		    found || json_equal(k, v);
		cr_assert(found, "%s supported but not known", f);
	}
	json_decref(doc);
}

Test(features, every_mount_option_is_recognised)
{
	json_t *doc = features(), *v;
	size_t i;
	json_array_foreach(at(doc, "mountOptions", NULL, NULL), i, v)
	{
		char *opts[] = {(char *)json_string_value(v), NULL};
		struct mount_opts o;
		struct berth_error err = {0};
		cr_assert_eq(mount_opts_parse(opts, &o, &err), 0, "%s: %s",
			     opts[0], err.msg);
		cr_assert_null(o.data, "%s went to the fs data", opts[0]);
		mount_opts_done(&o);
	}
	cr_assert_geq(i, 60);
	char *bogus[] = {"bogus", NULL};
	struct mount_opts o;
	cr_assert_eq(mount_opts_parse(bogus, &o, NULL), 0);
	cr_assert_str_eq(o.data, "bogus");
	mount_opts_done(&o);
	json_decref(doc);
}

Test(features, required_fields_and_values)
{
	json_t *doc = features();
	cr_assert_str_eq(
	    json_string_value(at(doc, "ociVersionMin", NULL, NULL)), "1.0.0");
	cr_assert_str_eq(
	    json_string_value(at(doc, "ociVersionMax", NULL, NULL)),
	    OCI_SPEC_VERSION);
	cr_assert_eq(json_array_size(at(doc, "hooks", NULL, NULL)), 6);
	cr_assert_eq(json_array_size(at(doc, "linux", "namespaces", NULL)), 8);
	cr_assert(json_is_true(at(doc, "linux", "seccomp", "enabled")));
	cr_assert(json_is_true(
	    at(doc, "linux", "mountExtensions", "idmap")
		? json_object_get(at(doc, "linux", "mountExtensions", "idmap"),
				  "enabled")
		: NULL));
	cr_assert(json_is_true(at(doc, "linux", "netDevices", "enabled")));
	cr_assert_str_eq(
	    json_string_value(at(doc, "annotations", "berth.commit", NULL)),
	    "abc");
	json_decref(doc);
}
