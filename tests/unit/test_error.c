/* util/error: errno texts as Go (and so runc and the engines) write them. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "util/error.h"

Test(error, errno_texts_are_go_s)
{
	char buf[128];
	cr_assert_str_eq(berth_strerror(ENOENT, buf, sizeof(buf)),
			 "no such file or directory");
	cr_assert_str_eq(berth_strerror(-EACCES, buf, sizeof(buf)),
			 "permission denied");
	cr_assert_str_eq(BERTH_STRERROR(EPERM), "operation not permitted");
	cr_assert_str_eq(BERTH_STRERROR(EISDIR), "is a directory");
	cr_assert_str_eq(BERTH_STRERROR(EIO), "input/output error");
	cr_assert_str_eq(BERTH_STRERROR(4000), "errno 4000");
}

Test(error, berth_err_appends_the_lower_case_text)
{
	struct berth_error err = {0};
	cr_assert_eq(berth_err(&err, ENOENT, "open '%s'", "/x"), -ENOENT);
	cr_assert_str_eq(err.msg, "open '/x': no such file or directory");
	berth_err_ctx(&err, "mount 3");
	cr_assert_str_eq(err.msg,
			 "mount 3: open '/x': no such file or directory");
	cr_assert_eq(err.code, ENOENT);
}

Test(error, a_tiny_buffer_is_cut_not_overrun)
{
	char buf[4];
	cr_assert_str_eq(berth_strerror(ENOENT, buf, sizeof(buf)), "no ");
}

/* issue 10: a newline in an ID, a hostname or a sysctl key made messages
 * of several lines. */
Test(error, control_characters_are_escaped)
{
	struct berth_error err = {0};
	berth_err_msg(&err, EINVAL, "invalid id \"%s\"", "a\nb\tc\r\x01\x7f");
	cr_assert_str_eq(err.msg, "invalid id \"a\\nb\\tc\\r\\x01\\x7f\"");
	berth_err_ctx(&err, "state %s", "x\ny");
	cr_assert_str_eq(err.msg,
			 "state x\\ny: invalid id \"a\\nb\\tc\\r\\x01\\x7f\"");
	berth_err_note(&err, "n\n");
	cr_assert(strchr(err.msg, '\n') == NULL, "%s", err.msg);
	cr_assert(strstr(err.msg, "(n\\n)") != NULL, "%s", err.msg);
	berth_err(&err, ENOENT, "open '%s'", "/a\nb");
	cr_assert_str_eq(err.msg, "open '/a\\nb': no such file or directory");
	/* UTF-8 stays as it is */
	berth_err_msg(&err, EINVAL, "%s", "\xc3\xbc");
	cr_assert_str_eq(err.msg, "\xc3\xbc");
}

Test(error, escape_cuts_at_a_whole_escape)
{
	char buf[6];
	cr_assert_eq(berth_escape(buf, sizeof(buf), "ab\ncd"), 5);
	cr_assert_str_eq(buf, "ab\\nc");
	cr_assert_eq(berth_escape(buf, sizeof(buf), "abcd\x01"), 4);
	cr_assert_str_eq(buf, "abcd");
}
