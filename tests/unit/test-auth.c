/* test-auth: which method "auth on" and explicit settings pick. */
#include "config.h"

#include <string.h>

#include "popmuch/auth.h"
#include "tap.h"

static struct pop3_caps
caps_with(const char *sasl, int user, const char *apop_ts)
{
	struct pop3_caps c;

	memset(&c, 0, sizeof(c));
	c.capa = 1;
	c.user = user;
	strcpy(c.sasl, sasl);
	strcpy(c.apop_ts, apop_ts);
	return c;
}

static const char *
pick(const char *auth, struct pop3_caps c, int tls, enum pm_status *st_r)
{
	struct account a;
	struct pm_err err;
	const char *m;

	memset(&a, 0, sizeof(a));
	a.auth = (char *)auth;
	a.user = (char *)"joe";
	a.host = (char *)"pop.example.org";
	err_clear(&err);
	m = auth_choose(&a, &c, tls, &err);
	*st_r = m ? PM_OK : err.code;
	return m;
}

int
main(void)
{
	struct pop3_caps all = caps_with(
	    "PLAIN LOGIN CRAM-MD5 SCRAM-SHA-1 SCRAM-SHA-256", 1, "<1.2@x>");
	struct pop3_caps weak = caps_with("PLAIN LOGIN", 1, "<1.2@x>");
	struct pop3_caps none = caps_with("", 0, "");
	enum pm_status st;

	is_str(pick("on", all, 1, &st), "SCRAM-SHA-256",
	       "auth on with TLS: the strongest, SCRAM-SHA-256");
	is_str(pick("on", all, 0, &st), "SCRAM-SHA-256",
	       "auth on without TLS: SCRAM-SHA-256 too");
	is_str(pick("on", caps_with("CRAM-MD5 PLAIN", 1, ""), 0, &st),
	       "CRAM-MD5", "without TLS CRAM-MD5 beats PLAIN");
	is_str(pick("on", weak, 1, &st), "PLAIN", "with TLS PLAIN is fine");
	ok(pick("on", weak, 0, &st) == NULL && st == PM_UNAVAILABLE,
	   "without TLS, PLAIN/LOGIN/USER are never picked automatically");
	ok(pick("on", caps_with("", 0, "<1.2@x>"), 0, &st) == NULL,
	   "APOP is never picked automatically");
	is_str(pick("apop", weak, 0, &st), "APOP", "explicit apop");
	is_str(pick("user", weak, 0, &st), "USER",
	       "explicit user without TLS (the caller warns)");
	is_str(pick("plain", none, 1, &st), "PLAIN",
	       "explicit method is tried even when not advertised");
	ok(pick("bogus", all, 1, &st) == NULL && st == PM_CONFIG,
	   "unknown method is a configuration error");
	is_str(pick("on", caps_with("", 1, ""), 1, &st), "USER",
	       "only USER offered, with TLS");
	none.capa = 0;
	is_str(pick("on", none, 1, &st), "USER",
	       "an RFC 1939 server without CAPA: USER with TLS");
	return done_testing();
}
