/* test-layout.c: fitting wide strings into columns. */
#include "config.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/tap.h"
#include "../../src/tui/layout.h"

static void
fit_is(const char *in, int cols, int pad, const char *want, const char *name)
{
	char *got = layout_fit(in, cols, pad);

	is_str(got, want, "%s", name);
	if (pad)
		is_int(layout_width(got), cols, "%s: width", name);
	else
		ok(layout_width(got) <= (size_t)cols, "%s: width <= cols",
		   name);
	free(got);
}

static void
test_width(void)
{
	is_int(layout_width("abc"), 3, "ascii width");
	is_int(layout_width("日本語"), 6, "CJK is double width");
	is_int(layout_width("e\xcc\x81t\xc3\xa9"), 3, "combining acute adds 0");
	is_int(layout_width("\xf0\x9f\x98\x80"), 2, "emoji is double width");
	is_int(layout_width("a\xff"
			    "b"),
	       3, "invalid byte counts one column");
	is_int(layout_width("\xe6\x97"), 1, "truncated sequence is one U+FFFD");
	is_int(layout_width("a\x1b[2Jb"), 6,
	       "escape is replaced, not executed");
}

static void
test_fit(void)
{
	fit_is("hello", 5, 1, "hello", "exact fit, no ellipsis");
	fit_is("hello", 8, 1, "hello   ", "padded");
	fit_is("hello world", 8, 1, "hello w\xe2\x80\xa6", "cut with ellipsis");
	fit_is("hello", 8, 0, "hello", "unpadded stays short");
	fit_is("日本語", 6, 1, "日本語", "CJK exact fit");
	fit_is("日本語です", 6, 1, "日本\xe2\x80\xa6 ", "CJK cut at the edge");
	fit_is("日本語です", 7, 1, "日本語\xe2\x80\xa6",
	       "CJK cut, ellipsis fits");
	fit_is("e\xcc\x81"
	       "abcd",
	       3, 1,
	       "e\xcc\x81"
	       "a\xe2\x80\xa6",
	       "combining mark kept with its base");
	fit_is("ab\xcc\x81", 2, 1, "ab\xcc\x81",
	       "trailing combining mark fits");
	fit_is("\xcc\x81"
	       "ab",
	       2, 1, "ab", "leading combining mark dropped");
	fit_is("a\xff"
	       "b",
	       3, 1,
	       "a\xef\xbf\xbd"
	       "b",
	       "invalid UTF-8 replaced");
	fit_is("\xc0\xaf", 2, 1, "\xef\xbf\xbd\xef\xbf\xbd",
	       "overlong encoding replaced");
	fit_is("\xed\xa0\x80", 1, 1, "\xef\xbf\xbd", "surrogate replaced");
	fit_is("x\xf0\x9f\x98\x80y", 4, 1, "x\xf0\x9f\x98\x80y", "emoji fits");
	fit_is("x\xf0\x9f\x98\x80yz", 3, 1, "x\xe2\x80\xa6 ",
	       "emoji straddling the edge is dropped");
	fit_is("a\tb", 3, 1, "a b", "tab becomes a space");
	fit_is("abc", 0, 1, "", "zero columns");
	fit_is("abc", 1, 1, "\xe2\x80\xa6", "one column");
	fit_is("", 3, 1, "   ", "empty string padded");
}

static void
test_detab(void)
{
	char *s = layout_detab("a\tb\r", 4);

	is_str(s, "a       b", "tab expands to column 8, CR dropped");
	free(s);
	s = layout_detab("日\tx", strlen("日\tx"));
	is_str(s, "日      x", "tab after wide char");
	free(s);
}

static void
test_wrap(void)
{
	const char *s = "hello big world";

	is_int(layout_wrap(s, strlen(s), 20), strlen(s), "fits: whole line");
	is_int(layout_wrap(s, strlen(s), 10), 10, "breaks after a space");
	is_int(layout_wrap("abcdefgh", 8, 3), 3, "long word cut mid-word");
	is_int(layout_wrap("日本語", 9, 3), 3, "wide chars: one fits in 3");
	is_int(layout_wrap("日本語", 9, 1), 3, "at least one character");
}

static void
test_date(void)
{
	char buf[32];
	time_t now = 1700000000; /* 2023-11-14 22:13:20 UTC */

	setenv("TZ", "UTC", 1);
	layout_date(now - 60, now, buf, sizeof buf);
	is_str(buf, "22:12", "today shows the time");
	layout_date(now - 2 * 86400, now, buf, sizeof buf);
	is_str(buf, "Sun 22:13", "this week shows the weekday");
	layout_date(now - 60 * 86400, now, buf, sizeof buf);
	is_str(buf, "Sep 15", "this year shows month and day");
	layout_date(now - 400 * 86400, now, buf, sizeof buf);
	is_str(buf, "2022-10-10", "older shows the year");
}

static void
test_strip(void)
{
	char *s;

	s = layout_strip("a\x1b[2J\x07"
			 "b\xe2\x80\xae"
			 "c\xc2\x9b"
			 "d\x7f");
	is_str(s, "a[2Jbcd", "strip: C0, bidi override, C1, DEL");
	free(s);
	s = layout_fit("x\xe2\x80\xae"
		       "y",
		       5, 0);
	is_str(s, "xy", "fit drops U+202E");
	free(s);
	is_int(layout_width("\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd"), 2,
	       "a skin tone modifier adds no width");
	s = layout_fit("\xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9", 10, 0);
	is_str(s, "\xf0\x9f\x91\xa8\xf0\x9f\x91\xa9", "fit drops a ZWJ");
	free(s);
	s = layout_tail("abcdef", 3);
	is_str(s, "def", "tail keeps the end");
	free(s);
}

int
main(void)
{
	if (!setlocale(LC_CTYPE, "C.UTF-8") && !setlocale(LC_CTYPE, "C.utf8")) {
		printf("1..0 # SKIP no UTF-8 locale\n");
		return 0;
	}
	test_width();
	test_fit();
	test_detab();
	test_wrap();
	test_date();
	test_strip();
	return done_testing();
}
