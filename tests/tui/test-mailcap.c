/* test-mailcap.c: mailcap expansion never lets a file name, a type or
 * a parameter reach the shell unquoted; the type grammar; generated
 * names; the auto_view choice (the first copiousoutput entry); running
 * an entry (autoview.h): stdin, time limit, output cap, failures, the
 * private directory gone afterwards; a non-text part in the pager
 * (msg_render_part) through its entry, and the old error without one. */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../unit/tap.h"
#include "popmuch/clock.h"
#include "popmuch/xmalloc.h"
#include "../../src/tui/autoview.h"
#include "../../src/tui/mailcap.h"
#include "../../src/tui/msg.h"

static void
expand_is(const char *cmd, const char *type, const char *file, const char *want,
	  const char *name)
{
	struct pm_err err;
	char *got = NULL;

	err_clear(&err);
	if (!want) {
		is_int(mailcap_expand(cmd, type, file, NULL, &got, &err),
		       PM_DATAERR, "%s: refused", name);
		ok(strstr(err.msg, "quotes") != NULL, "%s: says why", name);
		free(got);
		return;
	}
	is_int(mailcap_expand(cmd, type, file, NULL, &got, &err), PM_OK,
	       "%s: ok", name);
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
	expand_is("pager", "text/plain", "/a b", "exec < '/a b'; pager",
		  "no %s: the file on stdin");
	expand_is("sed 1d | tr a-z A-Z", "text/plain", "/f",
		  "exec < '/f'; sed 1d | tr a-z A-Z",
		  "no %s: every command of a pipeline gets it");
	expand_is("printf 100\\%; cat %s", "text/plain", "/f",
		  "printf 100%; cat '/f'", "\\% is a percent");
	expand_is("echo \\'%s", "text/plain", "/f", "echo \\''/f'",
		  "an escaped quote does not open quotes");
	expand_is("echo \"it's\" %s", "text/plain", "/f", "echo \"it's\" '/f'",
		  "a ' inside \"...\" does not open quotes");
	expand_is("%{", "text/plain", "/f", "exec < '/f'; %{",
		  "an unclosed %{ is as it is");
}

static void
test_params(void)
{
	const char *const params[] = {"charset", "koi8-r", "name",
				      "x'$(touch P)", NULL};
	struct pm_err err;
	char *got = NULL;

	err_clear(&err);
	is_int(mailcap_expand("w3m -I %{charset} -dump %s", "text/html", "/f",
			      params, &got, &err),
	       PM_OK, "%%{charset}: ok");
	is_str(got, "w3m -I 'koi8-r' -dump '/f'", "%%{charset} is quoted");
	free(got);
	got = NULL;
	is_int(mailcap_expand("v %{Name} %{missing} %s", "text/html", "/f",
			      params, &got, &err),
	       PM_OK, "a hostile parameter: ok");
	is_str(got, "v 'x'\\''$(touch P)' '' '/f'",
	       "quoted; case-blind names; a missing one is empty");
	free(got);
	got = NULL;
	is_int(mailcap_expand("v '%{name}' %s", "text/html", "/f", params, &got,
			      &err),
	       PM_DATAERR, "'%%{name}' with a quote in the value: refused");
	ok(strstr(err.msg, "a parameter") != NULL, "... says what");
	free(got);
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

static char tmpdir[] = "/tmp/test-mailcap-XXXXXX";

static char *
write_file(const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
	return path;
}

static void
find_is(const char *type, enum mailcap_want want, const char *cmd,
	const char *name)
{
	struct mailcap_entry *e = NULL;
	struct pm_err err;
	enum pm_status st;

	err_clear(&err);
	st = mailcap_find(type, want, &e, &err);
	if (!cmd) {
		is_int(st, PM_UNAVAILABLE, "%s", name);
		ok(strstr(err.msg, "copiousoutput") != NULL, "%s: says why",
		   name);
	} else {
		is_int(st, PM_OK, "%s: found", name);
		is_str(e ? e->command : "", cmd, "%s", name);
	}
	mailcap_entry_free(&e);
}

static void
test_find(void)
{
	char *a = write_file("mc-a", "# comment\n"
				     "text/html; firefox %s\n"
				     "text/html; lynx -dump %s; test=false; "
				     "copiousoutput\n"
				     "application/pdf; zathura %s\n"),
	     *b = write_file("mc-b", "text/html; w3m -dump %s; copiousoutput; "
				     "nametemplate=%s.html\n"
				     "application/*; strings; copiousoutput\n"
				     "text/html; elinks -dump %s; "
				     "copiousoutput\n"),
	     *list = xasprintf("%s:%s/none:%s", a, tmpdir, b);
	struct mailcap_entry *e = NULL;

	setenv("MAILCAPS", list, 1);
	find_is("text/html", MAILCAP_VIEW, "firefox %s",
		"view: the first entry");
	find_is("text/html", MAILCAP_COPIOUS, "w3m -dump %s",
		"auto_view: the first copiousoutput one, in the next file "
		"(test= skipped)");
	find_is("TEXT/HTML", MAILCAP_COPIOUS, "w3m -dump %s",
		"the type case-blind");
	find_is("application/pdf", MAILCAP_COPIOUS, "strings",
		"auto_view: a wildcard entry after a non-copious exact one");
	find_is("image/png", MAILCAP_COPIOUS, NULL, "no entry at all");
	mailcap_find("text/html", MAILCAP_COPIOUS, &e, NULL);
	is_str(e ? e->nametemplate : "", "%s.html", "nametemplate kept");
	mailcap_entry_free(&e);
	ok(e == NULL, "freed to NULL");
	is_int(mailcap_find("text/html;x", MAILCAP_COPIOUS, &e, NULL),
	       PM_DATAERR, "a bad type: refused");
	free(a);
	free(b);
	free(list);
}

static enum pm_status
run(const char *cmd, const char *input, int ms, size_t max,
    struct av_output *out, struct pm_err *err)
{
	struct av_limits lim = {ms, max};

	err_clear(err);
	return av_run(cmd, input, &lim, out, err);
}

static void
test_run(void)
{
	char *in = write_file("in", "hello\nworld\n");
	struct av_output out;
	struct pm_err err;
	struct timespec t0;

	is_int(run("sed 1d | tr a-z A-Z", in, 5000, 1000, &out, &err), PM_OK,
	       "a pipeline on stdin: ok");
	is_str(out.text, "WORLD\n", "its output");
	ok(!out.cut, "not cut");
	free(out.text);
	is_int(run("cat; echo err >&2", NULL, 5000, 1000, &out, &err), PM_OK,
	       "no input: /dev/null");
	is_str(out.text, "", "stdin empty, stderr not captured");
	free(out.text);
	is_int(run("yes", NULL, 5000, 4096, &out, &err), PM_OK,
	       "endless output: ok");
	is_int((int)out.len, 4096, "cut at the cap");
	ok(out.cut, "and says so");
	free(out.text);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	is_int(run("sleep 30", NULL, 300, 1000, &out, &err), PM_TIMEOUT,
	       "the time limit");
	ok(clock_seconds_since(&t0) < 5, "killed at once (%.2f s)",
	   clock_seconds_since(&t0));
	ok(strstr(err.msg, "time limit") != NULL, "says so: %s", err.msg);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	is_int(run("sleep 30 & echo x", NULL, 300, 1000, &out, &err),
	       PM_TIMEOUT, "a child holding stdout open: killed too");
	ok(clock_seconds_since(&t0) < 5, "at once");
	is_int(run("no-such-command-xyz", NULL, 5000, 1000, &out, &err),
	       PM_UNAVAILABLE, "127: could not run");
	ok(strstr(err.msg, "127") != NULL, "says so: %s", err.msg);
	is_int(run("exit 3", NULL, 5000, 1000, &out, &err), PM_UNAVAILABLE,
	       "non-zero with no output: failed");
	ok(strstr(err.msg, "exited 3") != NULL, "says so: %s", err.msg);
	is_int(run("echo partial; exit 1", NULL, 5000, 1000, &out, &err), PM_OK,
	       "non-zero with output: its output");
	is_str(out.text, "partial\n", "kept");
	free(out.text);
	free(in);
}

/* Entries in tmpdir other than the files the test wrote. */
static int
leftovers(void)
{
	DIR *d = opendir(tmpdir);
	struct dirent *de;
	int n = 0;

	while (d && (de = readdir(d)) != NULL)
		n += strncmp(de->d_name, "popmuch-view-", 13) == 0;
	if (d)
		closedir(d);
	return n;
}

static void
test_mailcap_run(void)
{
	char *mc = write_file("mc-run",
			      "application/x-stdin; tr a-z A-Z; copiousoutput\n"
			      "application/x-file; echo %s\\; cat %s; "
			      "copiousoutput; nametemplate=%s.pdf\n"
			      "application/x-fail; exit 4; copiousoutput\n"
			      "application/x-view; cat %s\n");
	const char *const params[] = {"charset", "x", NULL};
	struct av_output out;
	struct pm_err err;
	char *cmd = NULL;

	setenv("MAILCAPS", mc, 1);
	setenv("XDG_RUNTIME_DIR", tmpdir, 1);
	err_clear(&err);
	is_int(av_mailcap("application/x-stdin", "a.bin", params, "abc", 3,
			  &cmd, &out, &err),
	       PM_OK, "an entry without %%s: ok");
	is_str(out.text, "ABC", "the part on its stdin");
	is_str(cmd, "tr a-z A-Z", "the entry as written");
	free(out.text);
	free(cmd);
	is_int(av_mailcap("application/x-file", "r$(x).doc", NULL, "xyz", 3,
			  &cmd, &out, &err),
	       PM_OK, "an entry with %%s: ok");
	ok(strstr(out.text, "/popmuch-view-") &&
	       strstr(out.text, "/part.pdf\n"),
	   "a generated name in a private directory: %s", out.text);
	ok(strstr(out.text, "\nxyz") != NULL, "the file holds the part");
	free(out.text);
	free(cmd);
	is_int(av_mailcap("application/x-fail", NULL, NULL, "", 0, &cmd, &out,
			  &err),
	       PM_UNAVAILABLE, "a failing entry: failed");
	is_str(cmd, "exit 4", "named");
	free(cmd);
	is_int(av_mailcap("application/x-view", NULL, NULL, "", 0, &cmd, &out,
			  &err),
	       PM_UNAVAILABLE, "no copiousoutput entry");
	ok(cmd == NULL, "none named");
	is_int(leftovers(), 0, "every private directory removed");
	free(mc);
}

static const char *logged;

static void
log_fn(void *arg, const char *s)
{
	(void)arg;
	free((char *)logged);
	logged = xstrdup(s);
}

/* msg_render_part on a message with a part of type. */
static enum pm_status
render_part(const char *type, struct msg_view **v, struct pm_err *err)
{
	char *text = xasprintf(
	    "From: a@example.org\nSubject: s\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=B\n\n--B\n"
	    "Content-Type: text/plain\n\nbody\n--B\nContent-Type: %s\n"
	    "Content-Transfer-Encoding: base64\n\naGVsbG8gcGFydAo=\n--B--\n",
	    type);
	char *path = write_file("msg.eml", text);
	enum pm_status st;

	err_clear(err);
	*v = NULL;
	st = msg_render_part(path, 2, NULL, v, err);
	unlink(path);
	free(path);
	free(text);
	return st;
}

/* Does line of v hold want? */
static int
has_line(const struct msg_view *v, const char *want)
{
	size_t i;

	for (i = 0; v && i < v->nlines; i++)
		if (strcmp(v->lines[i], want) == 0)
			return 1;
	return 0;
}

/* HTML: html_command, "" (the stripper), the text/html entry. */
static void
test_render_html(void)
{
	char *mc = write_file("mc-html", "text/html; tr a-z A-Z; "
					 "copiousoutput\n"),
	     *path = write_file("html.eml",
				"From: a@example.org\nSubject: s\n"
				"MIME-Version: 1.0\nContent-Type: text/html\n"
				"\n<p>hello html</p>\n");
	struct msg_view *v = NULL;
	struct pm_err err;

	setenv("MAILCAPS", mc, 1);
	err_clear(&err);
	msg_render(path, MSG_NORMAL, NULL, &v, &err);
	ok(has_line(v, "<P>HELLO HTML</P>"), "no html_command: the entry");
	msg_view_free(&v);
	msg_render(path, MSG_NORMAL, "", &v, &err);
	ok(has_line(v, "hello html"), "html_command \"\": the stripper");
	msg_view_free(&v);
	msg_render(path, MSG_NORMAL, "sed s/hello/bye/", &v, &err);
	ok(has_line(v, "<p>bye html</p>"), "html_command wins");
	msg_view_free(&v);
	free(mc);
	free(path);
}

static void
test_render_part(void)
{
	char *mc = write_file("mc-part",
			      "application/x-popmuch-test; cat; copiousoutput\n"
			      "application/x-fail; false; copiousoutput\n"
			      "application/x-view; cat %s\n");
	struct msg_view *v = NULL;
	struct pm_err err;

	setenv("MAILCAPS", mc, 1);
	msg_init();
	msg_set_log(log_fn, NULL);
	is_int(render_part("application/x-popmuch-test", &v, &err), PM_OK,
	       "a part with a copiousoutput entry: rendered");
	is_str(v && v->nlines > 1 ? v->lines[0] : "",
	       "[application/x-popmuch-test through the mailcap entry: cat]",
	       "a note naming the entry");
	is_str(v && v->nlines > 1 ? v->lines[1] : "", "hello part",
	       "then its output, decoded");
	is_int(v ? (int)v->natt : 0, 1, "the part itself listed");
	msg_view_free(&v);
	is_int(render_part("application/x-view", &v, &err), PM_DATAERR,
	       "a view-only entry: the old error");
	is_str(err.msg, "part 3 is not text: o opens it with a viewer",
	       "... as it was");
	ok(logged == NULL, "nothing logged");
	is_int(render_part("application/x-fail", &v, &err), PM_DATAERR,
	       "a failing entry: the old error");
	ok(logged &&
	       strstr(logged,
		      "mailcap entry failed (exited 1 with no output): false"),
	   "logged: %s", logged ? logged : "(nothing)");
	ok(v == NULL, "no view");
	test_render_html();
	msg_set_log(NULL, NULL);
	msg_shutdown();
	free((char *)logged);
	free(mc);
}

int
main(void)
{
	char *rm;

	test_expand();
	test_params();
	test_type();
	test_name();
	if (!mkdtemp(tmpdir))
		return 1;
	test_find();
	test_run();
	test_mailcap_run();
	test_render_part();
	rm = xasprintf("rm -rf '%s'", tmpdir);
	ok(system(rm) == 0, "cleaned up");
	free(rm);
	return done_testing();
}
