/* test-mailcap.c: mailcap expansion never lets a file name or a type
 * reach the shell unquoted; the type grammar; generated names. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "../unit/tap.h"
#include "../../src/tui/mailcap.h"

static void
expand_is(const char *cmd, const char *type, const char *file, const char *want,
	  const char *name)
{
	struct pm_err err;
	char *got = NULL;

	err_clear(&err);
	if (!want) {
		is_int(mailcap_expand(cmd, type, file, &got, &err), PM_DATAERR,
		       "%s: refused", name);
		ok(strstr(err.msg, "quotes") != NULL, "%s: says why", name);
		free(got);
		return;
	}
	is_int(mailcap_expand(cmd, type, file, &got, &err), PM_OK, "%s: ok",
	       name);
	is_str(got, want, "%s", name);
	free(got);
}

static void
test_expand(void)
{
	expand_is("less %s", "text/plain", "/tmp/d/part.txt",
		  "less '/tmp/d/part.txt'", "%s is quoted");
	expand_is("cat '%s'", "text/plain", "/tmp/d/part.txt",
		  "cat '/tmp/d/part.txt'", "'%s' in the entry: inserted as is");
	expand_is("cat '%s'", "text/plain", "/tmp/it's/part", NULL,
		  "'%s' and a ' in the path");
	expand_is("cat \"%s\"", "text/plain", "/tmp/$(x)/part", NULL,
		  "\"%s\" and a $ in the path");
	expand_is("cat \"%s\"", "text/plain", "/tmp/d/part",
		  "cat \"/tmp/d/part\"", "\"%s\" with a plain path");
	expand_is("view -t %t %s", "application/x`touch${IFS}P`", "/f",
		  "view -t 'application/x`touch${IFS}P`' '/f'", "%t is quoted");
	expand_is("view -t \"%t\" %s", "application/x`touch${IFS}P`", "/f",
		  NULL, "\"%t\" with a backquote in the type");
	expand_is("view -t '%t' %s", "application/x'$(touch P)'", "/f", NULL,
		  "'%t' with a quote in the type");
	expand_is("pager", "text/plain", "/a b", "pager < '/a b'",
		  "no %s: the file on stdin");
	expand_is("printf 100\\%; cat %s", "text/plain", "/f",
		  "printf 100%; cat '/f'", "\\% is a percent");
	expand_is("echo \\'%s", "text/plain", "/f", "echo \\''/f'",
		  "an escaped quote does not open quotes");
	expand_is("echo \"it's\" %s", "text/plain", "/f", "echo \"it's\" '/f'",
		  "a ' inside \"...\" does not open quotes");
}

static void
test_type(void)
{
	ok(mailcap_type_ok("text/plain"), "text/plain is a type");
	ok(mailcap_type_ok("application/vnd.oasis.opendocument.text"),
	   "a long vendor type");
	ok(!mailcap_type_ok("text/plain;x=1"), "a ; is not");
	ok(!mailcap_type_ok("text/pl ain"), "a space is not");
	ok(!mailcap_type_ok("text"), "no subtype is not");
	ok(!mailcap_type_ok("/plain"), "no type is not");
	ok(!mailcap_type_ok("text/"), "an empty subtype is not");
	ok(!mailcap_type_ok("a/b/c"), "two slashes are not");
	ok(!mailcap_type_ok("text/plain\x1b"), "a control is not");
	ok(!mailcap_type_ok("text/\xc3\xa9"), "8-bit is not");
}

static void
test_name(void)
{
	char *n;

	n = mailcap_safe_name("report.pdf");
	is_str(n, "part.pdf", "a safe extension is kept");
	free(n);
	n = mailcap_safe_name("x$(touch PWNED).txt");
	is_str(n, "part.txt", "nothing of a hostile name but its extension");
	free(n);
	n = mailcap_safe_name("a.$(touch P)");
	is_str(n, "part", "a hostile extension is dropped");
	free(n);
	n = mailcap_safe_name(NULL);
	is_str(n, "part", "no name");
	free(n);
	n = mailcap_safe_name("noext");
	is_str(n, "part", "no extension");
	free(n);
}

int
main(void)
{
	test_expand();
	test_type();
	test_name();
	return done_testing();
}
