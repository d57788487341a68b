/* test-pop3parse: the pure POP3 reply parsers. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "popmuch/pop3.h"
#include "popmuch/pop3-list.h"
#include "tap.h"

static void
test_status(void)
{
	const char *text = NULL;

	is_int(pop3_parse_status("+OK hello", &text), 1, "+OK");
	is_str(text, "hello", "+OK text");
	is_int(pop3_parse_status("+OK", &text), 1, "bare +OK");
	is_str(text, "", "bare +OK text empty");
	is_int(pop3_parse_status("-ERR [IN-USE] busy", &text), 0, "-ERR");
	is_str(text, "[IN-USE] busy", "-ERR text");
	is_int(pop3_parse_status("+OKAY", &text), -1, "+OKAY is not +OK");
	is_int(pop3_parse_status("+ abc", &text), -1, "continuation");
	is_int(pop3_parse_status("", &text), -1, "empty");
	is_int(pop3_parse_status("hello", &text), -1, "garbage");
}

static void
test_resp_codes(void)
{
	is_int(pop3_resp_code_status("[IN-USE] locked"), PM_TEMPFAIL, "IN-USE");
	is_int(pop3_resp_code_status("[LOGIN-DELAY] wait"), PM_TEMPFAIL,
	       "LOGIN-DELAY");
	is_int(pop3_resp_code_status("[SYS/TEMP] later"), PM_TEMPFAIL,
	       "SYS/TEMP");
	is_int(pop3_resp_code_status("[SYS/PERM] gone"), PM_UNAVAILABLE,
	       "SYS/PERM");
	is_int(pop3_resp_code_status("[AUTH] bad password"), PM_NOPERM, "AUTH");
	is_int(pop3_resp_code_status("[auth] lower case"), PM_NOPERM,
	       "codes are case-insensitive");
	is_int(pop3_resp_code_status("no such message"), PM_PROTOCOL,
	       "no code");
	is_int(pop3_resp_code_status("[UNKNOWN] x"), PM_PROTOCOL,
	       "unknown code");
}

static void
test_list(void)
{
	uint32_t num = 0;
	uint64_t size = 0;

	is_int(pop3_parse_list_line("1 120", &num, &size), 0, "LIST line");
	is_int(num, 1, "LIST num");
	is_int(size, 120, "LIST size");
	is_int(pop3_parse_list_line("7 0 extra", &num, &size), 0,
	       "LIST with trailing text");
	is_int(pop3_parse_list_line("0 12", &num, &size), -1, "number 0");
	is_int(pop3_parse_list_line("-1 12", &num, &size), -1, "negative");
	is_int(pop3_parse_list_line("1 -12", &num, &size), -1, "negative size");
	is_int(pop3_parse_list_line("1", &num, &size), -1, "no size");
	is_int(pop3_parse_list_line("1 99999999999999999999999", &num, &size),
	       -1, "size overflows 64 bits");
	is_int(pop3_parse_list_line("18446744073709551615 1", &num, &size), -1,
	       "absurd message number");
	is_int(pop3_parse_list_line("1000001 1", &num, &size), -1,
	       "message number over the cap");
	is_int(pop3_parse_list_line("2 18446744073709551615", &num, &size), 0,
	       "2^64-1 size is parsed (advisory)");
	is_int(pop3_parse_list_line("1x 2", &num, &size), -1, "junk number");
}

static void
test_uidl(void)
{
	const char *u = NULL;
	uint32_t num = 0;
	size_t len = 0;
	char long_uidl[100];

	is_int(pop3_parse_uidl_line("3 abc123", &num, &u, &len), 0, "UIDL");
	is_int(num, 3, "UIDL num");
	is_mem(u, len, "abc123", 6, "UIDL text");
	is_int(pop3_parse_uidl_line("3 a/b/../c", &num, &u, &len), 0,
	       "slashes are fine in a UIDL (never a path)");
	is_int(pop3_parse_uidl_line("3 ", &num, &u, &len), -1, "empty UIDL");
	is_int(pop3_parse_uidl_line("3 a\x01"
				    "b",
				    &num, &u, &len),
	       -1, "control character");
	is_int(pop3_parse_uidl_line("3 a b", &num, &u, &len), -1,
	       "space inside");
	memset(long_uidl, 'x', sizeof(long_uidl));
	memcpy(long_uidl, "1 ", 2);
	long_uidl[2 + 70] = '\0';
	is_int(pop3_parse_uidl_line(long_uidl, &num, &u, &len), 0,
	       "70 characters");
	long_uidl[2 + 70] = 'x';
	long_uidl[2 + 71] = '\0';
	is_int(pop3_parse_uidl_line(long_uidl, &num, &u, &len), -1,
	       "71 characters");
}

static void
test_capa(void)
{
	struct pop3_caps c;

	memset(&c, 0, sizeof(c));
	pop3_parse_capa_line(&c, "PIPELINING");
	pop3_parse_capa_line(&c, "UIDL");
	pop3_parse_capa_line(&c, "stls");
	pop3_parse_capa_line(&c, "SASL plain SCRAM-SHA-256 CRAM-MD5");
	pop3_parse_capa_line(&c, "EXPIRE 0");
	pop3_parse_capa_line(&c, "LOGIN-DELAY 900");
	pop3_parse_capa_line(
	    &c, "X-SOMETHING-VERY-LONG-THAT-IS-NOT-KNOWN-AT-ALL y");
	ok(c.pipelining && c.uidl && c.stls, "flags");
	is_str(c.sasl, "PLAIN SCRAM-SHA-256 CRAM-MD5", "SASL list upper-cased");
	is_int(c.expire, 0, "EXPIRE 0");
	is_int(c.login_delay, 900, "LOGIN-DELAY");
	ok(!c.top && !c.user, "unset flags stay unset");
}

int
main(void)
{
	test_status();
	test_resp_codes();
	test_list();
	test_uidl();
	test_capa();
	return done_testing();
}
