/* test-parse: the shared small parsers at their edges (parse.h). */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "popmuch/parse.h"
#include "tap.h"

static void
test_u64(void)
{
	uint64_t v = 42;

	ok(parse_u64("0", &v) == 0 && v == 0, "u64: \"0\"");
	ok(parse_u64("007", &v) == 0 && v == 7, "u64: leading zeros");
	ok(parse_u64("18446744073709551615", &v) == 0 && v == UINT64_MAX,
	   "u64: UINT64_MAX");
	v = 42;
	ok(parse_u64("18446744073709551616", &v) == -1 && v == 42,
	   "u64: UINT64_MAX + 1 is an error, nothing stored");
	ok(parse_u64("99999999999999999999", &v) == -1, "u64: far over");
	ok(parse_u64("", &v) == -1, "u64: empty");
	ok(parse_u64("-1", &v) == -1, "u64: no minus sign");
	ok(parse_u64("+1", &v) == -1, "u64: no plus sign");
	ok(parse_u64(" 1", &v) == -1, "u64: no leading blank");
	ok(parse_u64("1 ", &v) == -1, "u64: no trailing blank");
	ok(parse_u64("0x10", &v) == -1, "u64: no hex");
	ok(parse_u64("1\n", &v) == -1, "u64: no newline");
}

static void
test_prefix(void)
{
	const char *end = NULL, *s = "12 34";
	uint64_t v = 42;

	ok(parse_u64_prefix(s, &end, &v) == 0 && v == 12 && end == s + 2,
	   "prefix: stops at the blank");
	s = "1x";
	ok(parse_u64_prefix(s, &end, &v) == 0 && v == 1 && *end == 'x',
	   "prefix: stops at a letter");
	v = 42;
	end = NULL;
	ok(parse_u64_prefix("x1", &end, &v) == -1 && v == 42 && end == NULL,
	   "prefix: must start with a digit, nothing stored");
	ok(parse_u64_prefix("", &end, &v) == -1, "prefix: empty");
	ok(parse_u64_prefix(" 1", &end, &v) == -1, "prefix: no leading blank");
	ok(parse_u64_prefix("-1", &end, &v) == -1, "prefix: no sign");
	ok(parse_u64_prefix("18446744073709551616 1", &end, &v) == -1,
	   "prefix: overflow is an error, not a clamp");
}

static void
test_ulong(void)
{
	unsigned long v = 42;

	ok(parse_ulong("65535", 65535, &v) == 0 && v == 65535,
	   "ulong: the maximum itself");
	v = 42;
	ok(parse_ulong("65536", 65535, &v) == -1 && v == 42,
	   "ulong: one over the maximum, nothing stored");
	ok(parse_ulong("0", 65535, &v) == 0 && v == 0,
	   "ulong: 0 (callers that refuse it say so)");
	ok(parse_ulong("", 10, &v) == -1, "ulong: empty");
	ok(parse_ulong("1e3", 10000, &v) == -1, "ulong: no exponent");
}

static void
test_hex(void)
{
	is_int(parse_hexdigit('0'), 0, "hex: 0");
	is_int(parse_hexdigit('9'), 9, "hex: 9");
	is_int(parse_hexdigit('a'), 10, "hex: a");
	is_int(parse_hexdigit('A'), 10, "hex: A");
	is_int(parse_hexdigit('f'), 15, "hex: f");
	is_int(parse_hexdigit('F'), 15, "hex: F");
	is_int(parse_hexdigit('g'), -1, "hex: g");
	is_int(parse_hexdigit('G'), -1, "hex: G");
	is_int(parse_hexdigit(':'), -1, "hex: ':' (just after '9')");
	is_int(parse_hexdigit('@'), -1, "hex: '@' (just before 'A')");
	is_int(parse_hexdigit('\0'), -1, "hex: NUL");
	is_int(parse_hexdigit((char)0xe1), -1, "hex: a byte over 0x7f");
}

static void
test_basename(void)
{
	ok(parse_basename_ok("a"), "basename: a");
	ok(parse_basename_ok("..."), "basename: ... is a name");
	ok(parse_basename_ok(".x"), "basename: .x is a name");
	ok(parse_basename_ok("1.M2P3,S=4"), "basename: a Maildir name");
	ok(!parse_basename_ok(""), "basename: empty");
	ok(!parse_basename_ok("."), "basename: .");
	ok(!parse_basename_ok(".."), "basename: ..");
	ok(!parse_basename_ok("a/b"), "basename: a slash");
	ok(!parse_basename_ok("/"), "basename: /");
	ok(!parse_basename_ok("../x"), "basename: ../x");
	ok(!parse_basename_ok(NULL), "basename: NULL");
}

/* The words of text (at most 8) joined by '|', "BAD" at a bad quote. */
static const char *
words(const char *text, const char *blanks, enum parse_quoting q)
{
	static char out[256];
	char buf[128], *s = buf, *w;
	int bad, n = 0;

	(void)snprintf(buf, sizeof(buf), "%s", text);
	out[0] = '\0';
	while (n < 8 && (w = parse_word(&s, blanks, q, &bad)) != NULL)
		(void)snprintf(out + strlen(out), sizeof(out) - strlen(out),
			       "%s%s", n++ ? "|" : "", w);
	if (bad)
		(void)snprintf(out + strlen(out), sizeof(out) - strlen(out),
			       "%sBAD", n ? "|" : "");
	return out;
}

static void
test_word(void)
{
	const enum parse_quoting S = PARSE_QUOTE_STRICT;
	const enum parse_quoting L = PARSE_QUOTE_LENIENT;

	is_str(words("  a  b\tc ", " \t", S), "a|b|c", "word: blanks between");
	is_str(words("", " \t", S), "", "word: empty text");
	is_str(words("   ", " \t", S), "", "word: blanks only");
	is_str(words("\"a b\" c", " \t", S), "a b|c", "word: a quoted word");
	is_str(words("\"\" x", " \t", S), "|x", "word: an empty quoted word");
	is_str(words("\"a\\\"b\\\\c\"", " \t", S), "a\"b\\c",
	       "word: strict: \\\" and \\\\ are escapes");
	is_str(words("\"a\\nb\"", " \t", S), "a\\nb",
	       "word: strict: any other backslash stays");
	is_str(words("x \"open", " \t", S), "x|BAD",
	       "word: strict: an unterminated quote is bad");
	is_str(words("\"a\"b", " \t", S), "BAD",
	       "word: strict: nothing may follow the closing quote");
	is_str(words("a\"b c", " \t", S), "a\"b|c",
	       "word: a quote inside a word is kept");
	is_str(words("\"a\\nb\" \"c\\\\\"", " \t", L), "anb|c\\",
	       "word: lenient: a backslash escapes any character");
	is_str(words("x \"open end", " \t", L), "x|open end",
	       "word: lenient: an unterminated quote ends at the end");
	is_str(words("a\r\nb", " \t\r\n", L), "a|b",
	       "word: the caller's blanks");
}

static void
test_i64(void)
{
	int64_t v = 42;

	ok(parse_i64("-5", &v) == 0 && v == -5, "i64: -5");
	ok(parse_i64("1700000000", &v) == 0 && v == 1700000000, "i64: 1.7e9");
	ok(parse_i64("9223372036854775807", &v) == 0 && v == INT64_MAX,
	   "i64: INT64_MAX");
	ok(parse_i64("-9223372036854775807", &v) == 0 && v == -INT64_MAX,
	   "i64: -INT64_MAX");
	v = 42;
	ok(parse_i64("9223372036854775808", &v) == -1 && v == 42,
	   "i64: over INT64_MAX, nothing stored");
	ok(parse_i64("-", &v) == -1, "i64: a sign alone");
	ok(parse_i64("+5", &v) == -1, "i64: '+' is no sign");
	ok(parse_i64("--5", &v) == -1, "i64: two signs");
	ok(parse_i64("", &v) == -1, "i64: empty");
}

int
main(void)
{
	test_u64();
	test_prefix();
	test_ulong();
	test_hex();
	test_basename();
	test_word();
	test_i64();
	return done_testing();
}
