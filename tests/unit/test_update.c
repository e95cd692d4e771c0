/* oci/config_update.c: the `update` document, from the user's file or
 * built as data from the flags (issue 10). */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "oci/events_json.h"

static int parse(const char *json, struct oci_resources **r,
		 struct berth_error *err)
{
	return oci_resources_parse(json, strlen(json), "res.json", r, err);
}

/* Before: the text was pasted into a wrapper, so this closed it and
 * added a field ("x") that was accepted. */
Test(update, trailing_text_is_invalid_json_in_the_users_file)
{
	struct oci_resources *r = NULL;
	struct berth_error err = {0};
	cr_assert_eq(
	    parse("{\"pids\":{\"limit\":55}}},\"x\":{\"y\":1", &r, &err),
	    -EINVAL);
	cr_assert_null(r);
	cr_assert(strncmp(err.msg, "res.json: invalid JSON at line 1, column ",
			  41) == 0,
		  "%s", err.msg);
	cr_assert(strstr(err.msg, "end of file expected") != NULL, "%s",
		  err.msg);
}

Test(update, errors_name_the_users_file_and_path)
{
	struct oci_resources *r = NULL;
	struct berth_error err = {0};
	cr_assert_eq(parse("{\"pids\":{\"limit\":\"x\"}}", &r, &err), -EINVAL);
	cr_assert_str_eq(err.msg,
			 "res.json: .pids.limit: expected a 64-bit integer");
	cr_assert_eq(parse("[]", &r, &err), -EINVAL);
	cr_assert_str_eq(err.msg, "res.json: expected a JSON object (a "
				  "linux.resources)");
	cr_assert_eq(parse("{\"pids\":{\"limit\":55},\"memory\":{\"limit\":"
			   "1048576}}",
			   &r, &err),
		     0, "%s", err.msg);
	cr_assert(r->pids.limit.set);
	cr_assert_eq(r->pids.limit.v, 55);
	cr_assert_eq(r->memory.limit.v, 1048576);
	oci_resources_free(r);
}

/* Before: --cpuset-cpus '0","mems":"0' set mems too. */
Test(update, a_flag_value_stays_a_value)
{
	struct oci_update_value v[] = {
	    {.section = "cpu",
	     .key = "cpus",
	     .is_text = true,
	     .text = "0\",\"mems\":\"0"},
	};
	struct oci_resources *r = NULL;
	struct berth_error err = {0};
	cr_assert_eq(oci_resources_from_values(v, 1, "update flags", &r, &err),
		     -EINVAL);
	cr_assert_str_eq(err.msg, "update flags: .cpu.cpus: expected a list "
				  "like \"0-3,7\", got \"0\",\"mems\":\"0\"");
}

Test(update, values_become_fields_the_last_one_wins)
{
	struct oci_update_value v[] = {
	    {.section = "pids", .key = "limit", .num = 50},
	    {.section = "cpu", .key = "cpus", .is_text = true, .text = "0-1"},
	    {.section = "memory", .key = "limit", .num = -1},
	    {.section = "pids", .key = "limit", .num = 60},
	};
	struct oci_resources *r = NULL;
	struct berth_error err = {0};
	cr_assert_eq(oci_resources_from_values(v, 4, "update flags", &r, &err),
		     0, "%s", err.msg);
	cr_assert_eq(r->pids.limit.v, 60);
	cr_assert_str_eq(r->cpu.cpus, "0-1");
	cr_assert(r->memory.limit.set);
	cr_assert_eq(r->memory.limit.v, -1);
	cr_assert_null(r->cpu.mems);
	oci_resources_free(r);
}
