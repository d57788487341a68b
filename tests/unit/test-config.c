/* test-config.c: the configuration parser and the secret sources. */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "popmuch/config.h"
#include "popmuch/secret.h"
#include "popmuch/xmalloc.h"
#include "tap.h"
#include "testutil.h"

static char tmpdir[] = "/tmp/test-config.XXXXXX";

static struct config *
parse_ok(const char *text, const char *what)
{
	struct config *cfg = NULL;
	struct pm_err err;
	enum pm_status st = config_parse_string("t", text, &cfg, &err);

	if (!ok(st == PM_OK && cfg != NULL, "parses: %s", what))
		diag("  %s", err.msg);
	return cfg;
}

/* Parse text expecting failure; the message must contain want. */
static void
parse_fails(const char *text, const char *want, const char *what)
{
	struct config *cfg = NULL;
	struct pm_err err;
	enum pm_status st = config_parse_string("t", text, &cfg, &err);

	ok(st == PM_CONFIG && cfg == NULL, "refused: %s", what);
	if (!ok(strstr(err.msg, want) != NULL, "message has \"%s\"", want))
		diag("  got: %s", err.msg);
	config_free(&cfg);
}

static void
write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || fputs(text, f) == EOF || fclose(f) != 0)
		fatal("cannot write %s", path);
	if (chmod(path, mode) != 0)
		fatal("chmod %s", path);
}

static void
test_defaults(void)
{
	struct config *cfg =
	    parse_ok("account a\nhost pop.example\n", "minimal account");
	struct account *a;

	if (cfg == NULL)
		return;
	is_int(cfg->naccounts, 1, "one account");
	is_int(cfg->fetch_parallel, 4, "fetch_parallel default 4");
	a = config_account(cfg, "a");
	ok(a != NULL && config_account(cfg, "b") == NULL, "config_account");
	is_str(a->name, "a", "name");
	is_str(a->file, "t", "file");
	is_int(a->line, 1, "line of the account line");
	is_int(a->port, 0, "port 0");
	is_int(a->timeout, 180, "timeout 180");
	is_int(a->pipelining, CFG_AUTO, "pipelining auto");
	is_int(a->tls, 1, "tls on");
	is_int(a->tls_starttls, 1, "tls_starttls on");
	is_int(a->tls_certcheck, 1, "tls_certcheck on");
	is_str(a->auth, "on", "auth on");
	is_int(a->keep, CFG_KEEP_OFF, "keep off");
	is_int(a->keep_max, -1, "keep_max -1");
	is_int(a->only_new, 1, "only_new on");
	is_int(a->received_header, 0, "received_header off");
	is_int(a->skipsize, 0, "skipsize off");
	is_int(a->killsize, 0, "killsize off");
	is_int(a->uidl_fingerprint, 0, "uidl_fingerprint off");
	ok(a->user == NULL && a->password == NULL && a->maildir == NULL &&
	       a->tls_trust_file == NULL && a->tags == NULL,
	   "strings unset");
	config_free(&cfg);
	ok(cfg == NULL, "config_free sets NULL");
	config_free(&cfg);
	config_free(NULL);
}

static const char every_keyword[] = "defaults\n"
				    "fetch_parallel 7\n"
				    "account a\n"
				    "host pop.example.org\n"
				    "port 1995\n"
				    "timeout 30\n"
				    "pipelining off\n"
				    "source_ip 192.0.2.1\n"
				    "tls on\n"
				    "tls_starttls off\n"
				    "tls_certcheck on\n"
				    "tls_trust_file /etc/ca.pem\n"
				    "tls_crl_file /etc/crl.pem\n"
				    "tls_key_file /k.pem\n"
				    "tls_cert_file /c.pem\n"
				    "tls_priorities NORMAL:-VERS-TLS1.2\n"
				    "tls_host_override other.example\n"
				    "auth SCRAM-SHA-256\n"
				    "user joe\n"
				    "password s3cret\n"
				    "passwordeval pass show mail\n"
				    "delivery maildir /m/a\n"
				    "only_new off\n"
				    "keep 30d\n"
				    "keep_max 500\n"
				    "killsize 10m\n"
				    "skipsize 2k\n"
				    "received_header off\n"
				    "tags \"+work   -inbox\"\n"
				    "notmuch_config /nm.conf\n"
				    "uidl_fallback top\n";

static void
test_every_keyword(void)
{
	struct config *cfg = parse_ok(every_keyword, "every keyword");
	struct account *a;

	if (cfg == NULL)
		return;
	a = cfg->accounts[0];
	is_int(cfg->fetch_parallel, 7, "fetch_parallel");
	is_str(a->host, "pop.example.org", "host");
	is_int(a->port, 1995, "port");
	is_int(a->timeout, 30, "timeout");
	is_int(a->pipelining, CFG_OFF, "pipelining");
	is_str(a->source_ip, "192.0.2.1", "source_ip");
	is_int(a->tls_starttls, 0, "tls_starttls");
	is_str(a->tls_trust_file, "/etc/ca.pem", "tls_trust_file");
	is_str(a->tls_crl_file, "/etc/crl.pem", "tls_crl_file");
	is_str(a->tls_key_file, "/k.pem", "tls_key_file");
	is_str(a->tls_cert_file, "/c.pem", "tls_cert_file");
	is_str(a->tls_priorities, "NORMAL:-VERS-TLS1.2", "tls_priorities");
	is_str(a->tls_host_override, "other.example", "tls_host_override");
	is_str(a->auth, "scram-sha-256", "auth, lower-cased");
	is_str(a->user, "joe", "user");
	is_str(a->password, "s3cret", "password");
	is_str(a->passwordeval, "pass show mail", "passwordeval");
	is_str(a->maildir, "/m/a", "delivery maildir");
	is_int(a->only_new, 0, "only_new");
	is_int(a->keep, CFG_KEEP_DAYS, "keep 30d");
	is_int(a->keep_seconds, 30 * 86400, "keep_seconds");
	is_int(a->keep_max, 500, "keep_max");
	is_int(a->killsize, 10 << 20, "killsize");
	is_int(a->skipsize, 2048, "skipsize");
	is_str(a->tags, "+work -inbox", "tags normalised");
	is_str(a->notmuch_config, "/nm.conf", "notmuch_config");
	is_int(a->uidl_fingerprint, 1, "uidl_fallback top");
	config_free(&cfg);
}

static void
test_more_values(void)
{
	struct config *cfg = parse_ok(
	    "account a\nhost h\ntls_nocertcheck\ntls_nostarttls\n"
	    "pipelining\nkeep\nkillsize off\nskipsize 0\ntimeout 1\n"
	    "keep_max off\nuidl_fallback off\nauth\n"
	    "proxy_host\nfilter\nntlmdomain\ntls_min_dh_prime_bits\n"
	    "account b\nhost h2\ntls_trust_file system\nkeep 12h\n"
	    "tls_certcheck off\nonly_new\n"
	    "account c\nhost h3\n"
	    "tls_fingerprint aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:"
	    "99:aa:bb:cc:dd:ee:ff:00:11:22:33:44:55:66:77:88:99\n",
	    "old spellings, empty arguments");
	struct account *a, *b;

	if (cfg == NULL)
		return;
	a = cfg->accounts[0];
	b = cfg->accounts[1];
	is_int(a->tls_certcheck, 0, "tls_nocertcheck (empty = on) is off");
	is_int(a->tls_starttls, 0, "tls_nostarttls");
	is_int(a->pipelining, CFG_ON, "empty boolean is on");
	is_int(a->keep, CFG_KEEP_ON, "keep (empty) is on");
	is_int(a->killsize, 0, "killsize off");
	is_int(a->skipsize, 0, "skipsize 0 is off");
	is_str(cfg->accounts[2]->tls_fingerprint,
	       "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:"
	       "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99",
	       "fingerprint upper-cased");
	is_int(a->keep_max, -1, "keep_max off");
	is_str(a->auth, "on", "auth (empty) is on");
	ok(b->tls_trust_file == NULL, "tls_trust_file system");
	is_int(b->keep_seconds, 12 * 3600, "keep 12h");
	is_int(b->tls_certcheck, 0, "tls_certcheck off");
	config_free(&cfg);
	cfg = parse_ok("account a\nhost h\ntls_nocertcheck off\n",
		       "tls_nocertcheck off");
	if (cfg != NULL)
		is_int(cfg->accounts[0]->tls_certcheck, 1, "certcheck stays");
	config_free(&cfg);
}

static void
test_inheritance(void)
{
	struct config *cfg =
	    parse_ok("defaults\ntimeout 10\nkeep on\nuser d\n"
		     "account p1\nhost h1\nuser u1\nport 1001\n"
		     "account p2\nhost h2\nuser u2\nskipsize 5\n"
		     "defaults\ntimeout 20\n"
		     "account c : p1, p2\nport 3003\n"
		     "account d : p2,p1\nhost h4\n"
		     "account e:p1\nuser u5\n",
		     "inheritance");
	struct account *c, *d, *e;

	if (cfg == NULL)
		return;
	c = config_account(cfg, "c");
	d = config_account(cfg, "d");
	e = config_account(cfg, "e");
	is_int(config_account(cfg, "p1")->timeout, 10, "p1 got old default");
	is_str(c->host, "h2", "c: later parent wins");
	is_str(c->user, "u2", "c: user from p2");
	is_int(c->port, 3003, "c: own line wins");
	is_int(c->skipsize, 5, "c: skipsize from p2");
	is_int(c->timeout, 20, "c: default not set by parents is current");
	is_int(c->keep, CFG_KEEP_ON, "c: keep from defaults");
	is_str(d->host, "h4", "d: own host");
	is_str(d->user, "u1", "d: p1 (last parent) wins");
	is_int(d->port, 1001, "d: port from p1");
	is_str(e->host, "h1", "e: host from p1, no blanks around ':'");
	is_str(e->user, "u5", "e: own user");
	config_free(&cfg);
}

static void
test_quoting(void)
{
	struct config *cfg = parse_ok("# comment\n   # indented comment\n\n"
				      "account a\r\n"
				      "  host   \"pop.example\"   \n"
				      "user \"joe \\\"x\\\" \\\\ y\"\n"
				      "passwordeval gpg -d \"~/my file.gpg\"\n"
				      "password \"\"\n"
				      "delivery maildir \"~/Mail/x y\"\n"
				      "tls_trust_file ~/ca.pem\n"
				      "tls_crl_file ~other/crl\n"
				      "notmuch_config ~\n"
				      "tls_host_override h#x \n"
				      "\ttls_priorities \"C:\\path\"",
				      "quoting");
	struct account *a;

	if (cfg == NULL)
		return;
	a = cfg->accounts[0];
	is_str(a->host, "pop.example", "quotes and blanks removed, CRLF");
	is_str(a->user, "joe \"x\" \\ y", "escapes in quotes");
	is_str(a->passwordeval, "gpg -d \"~/my file.gpg\"",
	       "inner quotes kept for the shell");
	ok(a->password == NULL, "empty password unsets");
	is_str(a->maildir, "/home/tester/Mail/x y", "maildir: quotes and ~");
	is_str(a->tls_trust_file, "/home/tester/ca.pem", "~/ expanded");
	is_str(a->tls_crl_file, "~other/crl", "~user is not expanded");
	is_str(a->notmuch_config, "/home/tester", "~ alone");
	is_str(a->tls_host_override, "h#x", "# inside an argument is kept");
	is_str(a->tls_priorities, "C:\\path", "other backslashes kept");
	config_free(&cfg);
	parse_fails("account a\nhost \"a\"b\"\n", "t:2: host: stray quote",
		    "stray quote");
}

static void
test_sizes_durations(void)
{
	uint64_t sz = 7;
	int64_t d = 7;

	ok(config_parse_size("0", &sz) == 0 && sz == 0, "size 0");
	ok(config_parse_size("123", &sz) == 0 && sz == 123, "size 123");
	ok(config_parse_size("10k", &sz) == 0 && sz == 10240, "size 10k");
	ok(config_parse_size("5M", &sz) == 0 && sz == 5 << 20, "size 5M");
	ok(config_parse_size("1g", &sz) == 0 && sz == 1 << 30, "size 1g");
	ok(config_parse_size("", &sz) != 0, "size empty");
	ok(config_parse_size("-1", &sz) != 0, "size negative");
	ok(config_parse_size("10kb", &sz) != 0, "size 10kb");
	ok(config_parse_size("k", &sz) != 0, "size k");
	ok(config_parse_size("1 k", &sz) != 0, "size with blank");
	ok(config_parse_size("0x10", &sz) != 0, "size hex");
	ok(config_parse_size("18446744073709551616", &sz) != 0, "overflow");
	ok(config_parse_size("17179869184g", &sz) != 0, "overflow by g");
	ok(config_parse_duration("30d", &d) == 0 && d == 2592000, "30d");
	ok(config_parse_duration("2h", &d) == 0 && d == 7200, "2h");
	ok(config_parse_duration("5m", &d) == 0 && d == 300, "5m");
	ok(config_parse_duration("9s", &d) == 0 && d == 9, "9s");
	ok(config_parse_duration("30", &d) != 0, "bare number refused");
	ok(config_parse_duration("d", &d) != 0, "unit alone");
	ok(config_parse_duration("3dd", &d) != 0, "trailing garbage");
	ok(config_parse_duration("-3d", &d) != 0, "negative");
	ok(config_parse_duration("106751991167301d", &d) != 0, "overflow");
	parse_fails("account a\nhost h\nkeep 30\n", "t:3: keep: invalid",
		    "keep 30");
	parse_fails("account a\nhost h\nkeep 0d\n", "t:3: keep: invalid",
		    "keep 0d");
	parse_fails("account a\nhost h\nkillsize 1x\n",
		    "t:3: killsize:", "killsize 1x");
	parse_fails("account a\nhost h\nskipsize -5\n",
		    "t:3: skipsize:", "skipsize -5");
	parse_fails("account a\nhost h\nkeep_max -2\n",
		    "t:3: keep_max:", "keep_max -2");
}

static void
test_bad_values(void)
{
	parse_fails("account a\nhost h\ntls yes\n", "t:3: tls: invalid",
		    "boolean yes");
	parse_fails("account a\nhost h\nport 0\n", "t:3: port:", "port 0");
	parse_fails("account a\nhost h\nport 65536\n",
		    "t:3: port:", "port 65536");
	parse_fails("account a\nhost h\nport\n", "t:3: port: missing arg",
		    "port without argument");
	parse_fails("account a\nhost\n", "t:2: host: missing argument",
		    "host without argument");
	parse_fails("account a\nhost h\ntimeout 0\n",
		    "t:3: timeout:", "timeout 0");
	parse_fails("account a\nhost h\npipelining maybe\n",
		    "t:3: pipelining:", "pipelining maybe");
	parse_fails("account a\nhost h\nauth md5\n", "t:3: auth: invalid",
		    "auth md5");
	parse_fails("account a\nhost h\ntls_fingerprint 00:11\n",
		    "t:3: tls_fingerprint:", "short fingerprint");
	parse_fails("account a\nhost h\ntls_fingerprint 00:11:22:33:44:55:"
		    "66:77:88:99:AA:BB:CC:DD:EE:FF\n",
		    "MD5 fingerprints", "MD5 fingerprint");
	parse_fails("account a\nhost h\ndelivery maildir\n",
		    "t:3: delivery: missing directory", "maildir without dir");
	parse_fails("account a\nhost h\ndelivery pigeon x\n",
		    "t:3: delivery: invalid", "delivery pigeon");
	parse_fails("account a\nhost h\ntags work\n",
		    "t:3: tags:", "tag without sign");
	parse_fails("account a\nhost h\nuidl_fallback md5\n",
		    "t:3: uidl_fallback:", "uidl_fallback md5");
	parse_fails("defaults\nfetch_parallel 0\n",
		    "t:2: fetch_parallel:", "fetch_parallel 0");
	parse_fails("account a\nhost h\nfetch_parallel 2\n",
		    "t:3: fetch_parallel: is a global setting",
		    "fetch_parallel in an account");
	parse_fails("host h\n", "t:1: host: used before any",
		    "keyword before a section");
	parse_fails("defaults x\n", "t:1: defaults: takes no argument",
		    "defaults with argument");
}

static void
test_refused(void)
{
	static const struct {
		const char *line, *want;
	} cases[] = {
	    {"eval echo host x", "eval: not supported"},
	    {"proxy_host 127.0.0.1", "proxy_host: not supported"},
	    {"proxy_port 9050", "proxy_port: not supported"},
	    {"socket /run/pop.sock", "socket: not supported"},
	    {"tls_min_dh_prime_bits 512", "tls_priorities instead"},
	    {"tls_force_sslv3 on", "tls_force_sslv3: not supported"},
	    {"ntlmdomain CORP", "ntlmdomain: not supported"},
	    {"auth gssapi", "auth: method gssapi is not supported"},
	    {"auth ntlm", "auth: method ntlm is not"},
	    {"auth digest-md5", "auth: method digest-md5 is not"},
	    {"delivery exchange c:\\pickup", "delivery: method exchange"},
	    {"received_header on", "byte-exact; remove this line"},
	    {"received_header", "received_header: adding"},
	    {"timeout off", "popmuch always bounds"},
	};
	char text[256], want[128];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		(void)snprintf(text, sizeof(text),
			       "# x\naccount a\nhost h\n%s\n", cases[i].line);
		(void)snprintf(want, sizeof(want), "t:4: %.*s",
			       (int)strcspn(cases[i].line, " "), cases[i].line);
		parse_fails(text, want, cases[i].line);
		parse_fails(text, cases[i].want, cases[i].line);
	}
}

static void
test_structure_errors(void)
{
	parse_fails("account a\nhots h\n",
		    "t:2: hots: unknown keyword (did you mean host?)",
		    "did you mean host");
	parse_fails("account a\nhost h\ntls_certchek off\n",
		    "did you mean tls_certcheck?", "did you mean certcheck");
	parse_fails("acount a\n", "did you mean account?", "did you mean acc");
	parse_fails("account a\nhost h\nzzzzzzzzzz 1\n",
		    "zzzzzzzzzz: unknown keyword (see popmuch.conf(5))",
		    "unknown keyword without suggestion");
	parse_fails("account a\nuser x\n\naccount b\nhost h\n",
		    "t:1: account: account a has no host", "missing host");
	parse_fails("account a\nhost h\naccount a\nhost i\n",
		    "t:3: account: account a is already defined", "duplicate");
	parse_fails("account a : nope\nhost h\n",
		    "t:1: account: unknown parent account nope",
		    "unknown parent");
	parse_fails("account a : \nhost h\n", "missing parent account name",
		    "empty parent list");
	parse_fails("account a : a\nhost h\n", "unknown parent account a",
		    "self as parent");
	parse_fails("account\n", "t:1: account: missing account name",
		    "account without name");
	parse_fails("account ../x\nhost h\n", "invalid account name",
		    "name with slash");
	parse_fails("account .hidden\nhost h\n", "invalid account name",
		    "name with leading dot");
	parse_fails("account \"a b\"\nhost h\n", "invalid account name",
		    "name with blank");
	parse_fails("account a\x01x\nhost h\n", "invalid account name",
		    "name with control character");
	parse_fails("account a\nhost h\nuser joe\naccount default : a\n"
		    "keep on\n",
		    "accounts a and default fetch the same mailbox",
		    "same mailbox twice (a default account with lines of its "
		    "own)");
	parse_fails("account a\nhost h\ntls_key_file /k\n",
		    "tls_key_file and tls_cert_file go together", "key alone");
	parse_fails("account a\nhost h\ntls_certcheck off\ntls_fingerprint "
		    "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:"
		    "33\n",
		    "tls_fingerprint with tls_certcheck off",
		    "pin and no check");
	parse_fails("account a\nhost h\ntls_trust_file\n",
		    "tls_trust_file is empty", "empty trust file, no pin");
}

static void
test_empty_trust_with_pin(void)
{
	struct config *cfg = parse_ok(
	    "account a\nhost h\ntls_trust_file\ntls_fingerprint "
	    "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33\n"
	    "account b\nhost h\nport 995\n",
	    "empty tls_trust_file with a pin; same host, other port");

	if (cfg == NULL)
		return;
	ok(cfg->accounts[0]->tls_trust_file == NULL, "only the pin counts");
	config_free(&cfg);
}

static void
test_permissions(void)
{
	char *path = xasprintf("%s/cfg", tmpdir);
	static const char text[] = "account a\nhost h\npassword pw\n";
	struct config *cfg = NULL;
	struct pm_err err;
	char *want;

	write_file(path, text, 0644);
	is_int(config_load(path, &cfg, &err), PM_CONFIG, "0644 refused");
	want = xasprintf("%s: contains a password but is readable by others; "
			 "chmod 600 %s",
			 path, path);
	is_str(err.msg, want, "permission message");
	ok(cfg == NULL, "no config on error");
	free(want);
	write_file(path, text, 0600);
	is_int(config_load(path, &cfg, &err), PM_OK, "0600 accepted");
	if (cfg != NULL)
		is_str(cfg->accounts[0]->password, "pw", "password read");
	config_free(&cfg);
	write_file(path, "account a\nhost h\n", 0644);
	is_int(config_load(path, &cfg, &err), PM_OK, "0644 without password");
	config_free(&cfg);
	write_file(path, "account a\nhost h\nhots\n", 0600);
	is_int(config_load(path, &cfg, &err), PM_CONFIG, "load: parse error");
	want = xasprintf("%s:3: hots:", path);
	ok(strncmp(err.msg, want, strlen(want)) == 0, "load: file:line");
	free(want);
	unlink(path);
	is_int(config_load(path, &cfg, &err), PM_IOERR, "missing file");
	is_int(config_load(tmpdir, &cfg, &err), PM_IOERR, "a directory");
	free(path);
}

static void
test_sample(void)
{
	const char *top = getenv("TOP_SRCDIR");
	char *path = xasprintf("%s/tests/data/mpoprc-sample",
			       top != NULL ? top : TOP_SRCDIR);
	struct config *cfg = NULL;
	struct pm_err err;
	struct account *a;

	if (!ok(config_load(path, &cfg, &err) == PM_OK, "mpoprc-sample loads"))
		diag("  %s", err.msg);
	if (cfg != NULL && ok(cfg->naccounts == 3, "three accounts")) {
		a = config_account(cfg, "freemail2");
		ok(a != NULL && strcmp(a->user, "joey") == 0 &&
		       strcmp(a->host, "pop.freemail.example") == 0,
		   "freemail2 inherits host from freemail");
		is_str(a->passwordeval,
		       "gpg2 --no-tty -q -d "
		       "~/.mpop-password.gpg",
		       "passwordeval kept for the shell");
		is_str(a->tls_trust_file, "/etc/ssl/certs/ca-certificates.crt",
		       "tls_trust_file from defaults");
		is_str(a->maildir, "/home/tester/Mail/incoming",
		       "maildir from defaults");
		a = config_account(cfg, "isp");
		is_int(a->keep, CFG_KEEP_DAYS, "isp: keep 30d");
	}
	config_free(&cfg);
	free(path);
}

static void
test_netrc(void)
{
	char *path = xasprintf("%s/netrc", tmpdir), *s;

	write_file(path,
		   "machine other.example login joe password wrong\n"
		   "machine pop.example\n  login joe\n  password \"p w\"\n"
		   "macdef init\nmachine pop.example login x password macro\n"
		   "\n"
		   "machine POP.example login ann password annpw\n"
		   "default login anon password anonpw\n",
		   0600);
	s = secret_netrc_lookup(path, "pop.example", "joe");
	is_str(s, "p w", "netrc: machine and login");
	xfree_secret(s);
	s = secret_netrc_lookup(path, "pop.example", "ann");
	is_str(s, "annpw", "netrc: second entry, host case-insensitive");
	xfree_secret(s);
	s = secret_netrc_lookup(path, "pop.example", NULL);
	is_str(s, "p w", "netrc: no user, first machine");
	xfree_secret(s);
	s = secret_netrc_lookup(path, "pop.example", "x");
	ok(s == NULL, "netrc: macdef body is skipped");
	xfree_secret(s);
	s = secret_netrc_lookup(path, "else.example", "anon");
	is_str(s, "anonpw", "netrc: default entry");
	xfree_secret(s);
	s = secret_netrc_lookup(path, "else.example", "bob");
	ok(s == NULL, "netrc: default with another login");
	chmod(path, 0644);
	s = secret_netrc_lookup(path, "pop.example", "joe");
	ok(s == NULL, "netrc readable by others is ignored");
	unlink(path);
	s = secret_netrc_lookup(path, "pop.example", "joe");
	ok(s == NULL, "netrc missing");
	free(path);
}

static void
secret_case(const char *text, enum pm_status want_st, const char *want,
	    const char *what)
{
	struct config *cfg = parse_ok(text, what);
	struct pm_err err;
	char *s = (char *)(uintptr_t) "unset";
	enum pm_status st;

	if (cfg == NULL)
		return;
	err_clear(&err);
	st = secret_get(cfg->accounts[0], &s, &err);
	is_int(st, want_st, "%s: status", what);
	if (want_st == PM_OK)
		is_str(s, want, "%s: secret", what);
	else if (!ok(s == NULL && strstr(err.msg, want) != NULL, "%s: message",
		     what))
		diag("  got: %s", err.msg);
	if (st == PM_OK)
		xfree_secret(s);
	config_free(&cfg);
}

static void
test_secret_get(void)
{
	char *netrc = xasprintf("%s/.netrc", tmpdir);

	secret_case("account a\nhost h\npassword pw\npasswordeval echo no\n",
		    PM_OK, "pw", "password first");
	secret_case("account a\nhost h\npasswordeval printf 'tok\\r\\nx\\n'\n",
		    PM_OK, "tok", "passwordeval: first line");
	secret_case("account a\nhost h\npasswordeval echo secretout; exit 3\n",
		    PM_CONFIG, "passwordeval command failed with exit status 3",
		    "passwordeval fails");
	secret_case("account a\nhost h\npasswordeval true\n", PM_CONFIG,
		    "printed no password", "passwordeval prints nothing");
	write_file(netrc, "machine h login u password netpw\n", 0600);
	secret_case("account a\nhost h\nuser u\n", PM_OK, "netpw",
		    "netrc in $HOME");
	chmod(netrc, 0640);
	secret_case("account a\nhost h\nuser u\n", PM_NOPERM,
		    "~/.netrc was ignored", "netrc readable by group");
	unlink(netrc);
	secret_case("account a\nhost h\nuser u\n", PM_NOPERM,
		    "no password configured for account a (set password, "
		    "passwordeval, or ~/.netrc; for the key ring, where mpop "
		    "keeps it: passwordeval \"secret-tool lookup host h "
		    "service pop3 user u\")",
		    "nothing configured, no terminal");
	free(netrc);
}

static void
test_secret_not_in_message(void)
{
	struct config *cfg =
	    parse_ok("account a\nhost h\npasswordeval echo hunter2; exit 1\n",
		     "eval for message check");
	struct pm_err err;
	char *s = NULL;

	if (cfg == NULL)
		return;
	(void)secret_get(cfg->accounts[0], &s, &err);
	ok(strstr(err.msg, "hunter2") == NULL, "output never in the error");
	config_free(&cfg);
}

static void
test_default_path(void)
{
	char *p;

	setenv("XDG_CONFIG_HOME", "/xdg", 1);
	p = config_default_path();
	is_str(p, "/xdg/popmuch/config", "XDG_CONFIG_HOME");
	free(p);
	unsetenv("XDG_CONFIG_HOME");
	p = config_default_path();
	is_str(p, "/home/tester/.config/popmuch/config", "HOME");
	free(p);
}

/* The TUI's keywords: search, fetch_interval, html_command, bind, color. */
static void
test_tui_keywords(void)
{
	struct config *cfg =
	    parse_ok("search work \"tag:work and tag:unread\"\n"
		     "defaults\n"
		     "search \"all mail\" *\n"
		     "search lists tag:lists and not tag:spam\n"
		     "fetch_interval 15m\n"
		     "html_command \"lynx -dump -stdin\"\n"
		     "bind x archive\n"
		     "bind list \"#\" tag_add\n"
		     "color tags red\n"
		     "color status white blue bold\n"
		     "color tag:urgent color196 default underline reverse\n"
		     "color unread brightyellow bold\n"
		     "account a\nhost h\n",
		     "TUI keywords");

	if (cfg == NULL)
		return;
	is_int(cfg->nsearches, 3, "three saved searches");
	is_str(cfg->searches[0].name, "work", "search 1 name");
	is_str(cfg->searches[0].query, "tag:work and tag:unread",
	       "search 1 query unquoted");
	is_str(cfg->searches[1].name, "all mail", "quoted search name");
	is_str(cfg->searches[1].query, "*", "search 2 query");
	is_str(cfg->searches[2].query, "tag:lists and not tag:spam",
	       "unquoted query keeps its words");
	is_int(cfg->fetch_interval, 900, "fetch_interval 15m");
	is_str(cfg->html_command, "lynx -dump -stdin", "html_command");
	is_int(cfg->nbinds, 2, "two binds");
	ok(cfg->binds[0].screen == NULL, "bind without screen: global");
	is_str(cfg->binds[0].key, "x", "bind key");
	is_str(cfg->binds[0].action, "archive", "bind action");
	is_int(cfg->binds[0].line, 7, "bind line");
	is_str(cfg->binds[1].screen, "list", "bind screen");
	is_str(cfg->binds[1].key, "#", "quoted key");
	is_int(cfg->ncolors, 4, "four colours");
	is_str(cfg->colors[0].element, "tags", "colour element");
	is_int(cfg->colors[0].fg, 1, "red is 1");
	is_int(cfg->colors[0].bg, CFG_COLOR_DEFAULT, "bg default");
	is_int(cfg->colors[1].bg, 4, "blue background");
	is_int(cfg->colors[1].attrs, CFG_ATTR_BOLD, "bold");
	is_str(cfg->colors[2].element, "tag:urgent", "per-tag colour");
	is_int(cfg->colors[2].fg, 196, "color196");
	is_int(cfg->colors[2].attrs, CFG_ATTR_UNDERLINE | CFG_ATTR_REVERSE,
	       "two attributes");
	is_int(cfg->colors[3].fg, 11, "brightyellow is 11");
	is_str(cfg->colors[3].file, "t", "colour file");
	is_int(cfg->colors[3].line, 12, "colour line");
	config_free(&cfg);

	cfg = parse_ok("account a\nhost h\n", "no TUI keywords");
	if (cfg != NULL) {
		ok(cfg->nsearches == 0 && cfg->nbinds == 0 &&
		       cfg->ncolors == 0 && cfg->html_command == NULL,
		   "TUI settings empty by default");
		is_int(cfg->fetch_interval, 0, "fetch_interval off by default");
	}
	config_free(&cfg);
	cfg = parse_ok("html_command builtin\nfetch_interval off\n",
		       "html_command builtin, fetch_interval off");
	if (cfg != NULL) {
		is_str(cfg->html_command, "", "builtin is the empty command");
		is_int(cfg->fetch_interval, 0, "off");
	}
	config_free(&cfg);

	parse_fails("search inbox\n", "t:1: search: needs a name and a query",
		    "search without a query");
	parse_fails("search \"x y\n", "t:1: search:", "unterminated quote");
	parse_fails("fetch_interval 5s\n", "t:1: fetch_interval: invalid",
		    "fetch_interval below 10s");
	parse_fails("fetch_interval 10\n", "fetch_interval", "bare number");
	parse_fails("bind x\n", "t:1: bind: needs a key and an action",
		    "bind with one word");
	parse_fails("bind a b c d\n", "t:1: bind: too many words",
		    "bind with four words");
	parse_fails("color tags mauve\n", "t:1: color: unknown colour",
		    "unknown colour");
	parse_fails("color tags red blue italic\n",
		    "unknown colour or attribute \"italic\"",
		    "unknown attribute");
	parse_fails("color tags color256\n", "unknown colour", "colour 256");
	parse_fails("color tag: red\n", "needs an element", "empty tag name");
	parse_fails("account a\nhost h\nsearch x y\n",
		    "t:3: search: is a global setting", "search in an account");
	parse_fails("account a\nhost h\nbind x quit\n",
		    "t:3: bind: is a global setting", "bind in an account");
}

/* ---- mpop's keywords, all errors at once, mpop's file -------------------- */

/* Every file of tests/data/mpoprc/ (modelled on real users' ~/.mpoprc
 * and mpop's own example) is accepted, copied with mode 600 as mpop
 * wants it. */
static void
test_real_mpoprc_files(void)
{
	static const char *const files[] = {
	    "mpop-example",   "gmail-default",	"multi-filter",
	    "uidls-defaults", "plain-password", "procmail",
	    "notmuch-insert", "keyring",
	};
	char *src, *dst, *text;
	struct config *cfg;
	struct pm_err err;
	size_t i, len;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		src = xasprintf("%s/tests/data/mpoprc/%s.mpoprc", TOP_SRCDIR,
				files[i]);
		dst = xasprintf("%s/%s", tmpdir, files[i]);
		text = slurp(src, &len);
		if (text == NULL)
			fatal("cannot read %s", src);
		write_file(dst, text, 0600);
		cfg = NULL;
		if (!ok(config_load(dst, &cfg, &err) == PM_OK,
			"real-world mpoprc accepted: %s", files[i]))
			diag("  %s", err.msg);
		config_free(&cfg);
		unlink(dst);
		free(text);
		free(src);
		free(dst);
	}
}

static void
test_mpop_example(void)
{
	char *path = xasprintf("%s/tests/data/mpoprc/mpop-example.mpoprc",
			       TOP_SRCDIR),
	     *text;
	struct config *cfg;
	struct account *a;
	size_t len;

	text = slurp(path, &len);
	cfg = parse_ok(text, "mpop's example");
	if (cfg == NULL)
		goto out;
	is_int((int)cfg->naccounts, 3, "default alias is no fourth account");
	is_str(cfg->default_account, "freemail", "default account");
	a = config_account(cfg, "default");
	ok(a != NULL && strcmp(a->name, "freemail") == 0,
	   "config_account(default) finds freemail");
	a = config_account(cfg, "company");
	ok(a != NULL && a->filter != NULL &&
	       strncmp(a->filter, "if [ \"`grep", 11) == 0,
	   "filter kept");
	ok(a != NULL && a->maildir == NULL, "mbox: the default Maildir");
	is_int((int)cfg->nnotes, 1, "one note: mbox (the filter is run)");
	ok(cfg->nnotes == 1 &&
	       strstr(cfg->notes[0], "t:9: delivery: popmuch "
				     "delivers into a Maildir") != NULL,
	   "mbox note names file and line");
	config_free(&cfg);
out:
	free(text);
	free(path);
}

static void
test_mpop_keywords(void)
{
	struct config *cfg;
	struct account *a;

	cfg = parse_ok("defaults\nuidls_file ~/.local/share/%U_at_%H\n"
		       "account a\nhost h\n",
		       "uidls_file in defaults");
	a = cfg ? cfg->accounts[0] : NULL;
	is_str(a ? a->uidls_file : NULL, "/home/tester/.local/share/%U_at_%H",
	       "uidls_file: ~ expanded, %%U %%H kept");
	is_int(cfg ? (int)cfg->nnotes : -1, 0, "uidls_file: no note");
	config_free(&cfg);
	parse_fails("account a\nhost h\nuidls_file\n",
		    "t:3: uidls_file: missing argument", "empty uidls_file");

	cfg = parse_ok("account a\nhost h\ntags +x\ndelivery mda "
		       "\"notmuch insert --folder=w +work -unread\"\n"
		       "account b\nhost h2\n"
		       "delivery mda /usr/bin/notmuch insert +play\n",
		       "delivery mda notmuch insert");
	a = cfg ? cfg->accounts[0] : NULL;
	is_str(a ? a->tags : NULL, "+x", "insert: own tags line wins");
	is_str(a ? a->mda : NULL, "notmuch insert --folder=w +work -unread",
	       "mda kept");
	a = cfg ? cfg->accounts[1] : NULL;
	is_str(a ? a->tags : NULL, "+play", "insert: +tag becomes tags");
	ok(cfg && cfg->nnotes == 2 &&
	       strstr(cfg->notes[0], "not the --folder") != NULL &&
	       strstr(cfg->notes[1], "with tags +play") != NULL,
	   "insert notes say what happens instead");
	config_free(&cfg);

	cfg = parse_ok("defaults\ndelivery maildir /m\naccount a\nhost h\n"
		       "delivery mda \"/usr/bin/procmail -f '%F' -d $USER\"\n"
		       "account b\nhost h2\ndelivery mda maildrop\n",
		       "delivery mda procmail, maildrop");
	a = cfg ? cfg->accounts[0] : NULL;
	ok(a && a->maildir == NULL, "mda after maildir: the default Maildir");
	ok(cfg && cfg->nnotes == 2 &&
	       strstr(cfg->notes[0], "t:5: delivery: popmuch does not run "
				     "procmail") != NULL &&
	       strstr(cfg->notes[1], "does not run maildrop") != NULL,
	   "procmail and maildrop notes");
	config_free(&cfg);
	parse_fails("account a\nhost h\ndelivery mda\n",
		    "delivery: missing command", "mda without command");

	/* a default account with lines of its own is an account */
	cfg = parse_ok("account a\nhost h\naccount default : a\nhost i\n",
		       "default with its own host");
	is_int(cfg ? (int)cfg->naccounts : -1, 2, "default kept as account");
	ok(cfg && cfg->default_account == NULL, "no alias");
	config_free(&cfg);
	cfg = parse_ok("account a\nhost h\n", "no default");
	ok(cfg && config_account(cfg, "default") == NULL,
	   "no default account: config_account(default) is NULL");
	config_free(&cfg);
}

/* Every error of a file in one run, each with its line. */
static void
test_all_errors(void)
{
	struct config *cfg = NULL;
	struct pm_err err;
	enum pm_status st;
	int lines = 1;
	char *s, big[8192];
	size_t o = 0;
	int i;

	st = config_parse_string(
	    "t",
	    "defaults\nhots x\naccount a\nhost h\nport 0\n"
	    "account b : zz\nport 1\nport 2x\naccount c\nkeep maybe\n",
	    &cfg, &err);
	is_int(st, PM_CONFIG, "several errors: PM_CONFIG");
	ok(cfg == NULL, "several errors: no config");
	for (s = err.msg; *s != '\0'; s++)
		lines += *s == '\n';
	is_int(lines, 6, "six errors, one line each");
	ok(strstr(err.msg, "t:2: hots: unknown keyword") != NULL &&
	       strstr(err.msg, "\nt:5: port: invalid argument") != NULL &&
	       strstr(err.msg, "\nt:6: account: unknown parent account zz") !=
		   NULL &&
	       strstr(err.msg, "\nt:8: port: invalid argument \"2x\"") !=
		   NULL &&
	       strstr(err.msg, "\nt:10: keep: invalid") != NULL,
	   "each error with its line, in order");
	ok(strstr(err.msg, "\nt:9: account: account c has no host") != NULL,
	   "after the lines, the account checks");
	if (lines != 6)
		diag("  got: %s", err.msg);

	/* more errors than fit: whole lines and a count */
	for (i = 0; i < 100; i++)
		o += (size_t)snprintf(big + o, sizeof(big) - o,
				      "account a%d\nport x\n", i);
	st = config_parse_string("t", big, &cfg, &err);
	is_int(st, PM_CONFIG, "200 errors: PM_CONFIG");
	ok(strstr(err.msg, "more errors)") != NULL, "200 errors: a count");
	ok(strlen(err.msg) < PM_ERR_MSG_MAX, "200 errors: bounded");
	ok(strstr(err.msg, "t:2: port") == err.msg, "200 errors: first first");
}

static void
test_find_path(void)
{
	char *home = xasprintf("%s/fh", tmpdir), *want, *got;
	char *xdgdir = xasprintf("%s/.config/mpop", home);
	char *own = xasprintf("%s/.config/popmuch", home);
	int is_mpop = -1;

	setenv("HOME", home, 1);
	unsetenv("XDG_CONFIG_HOME");
	got = config_find_path(&is_mpop);
	want = xasprintf("%s/.config/popmuch/config", home);
	ok(strcmp(got, want) == 0 && is_mpop == 0, "none: popmuch's path");
	free(got);
	free(want);
	want = xasprintf("%s/.config", home);
	if (mkdir(home, 0700) != 0 || mkdir(want, 0700) != 0 ||
	    mkdir(xdgdir, 0700) != 0)
		fatal("mkdir %s", xdgdir);
	free(want);
	want = xasprintf("%s/config", xdgdir);
	write_file(want, "account a\nhost h\n", 0600);
	got = config_find_path(&is_mpop);
	ok(strcmp(got, want) == 0 && is_mpop == 1, "the XDG mpop file");
	free(got);
	free(want);
	want = xasprintf("%s/.mpoprc", home);
	write_file(want, "account a\nhost h\n", 0600);
	got = config_find_path(&is_mpop);
	ok(strcmp(got, want) == 0 && is_mpop == 1,
	   "~/.mpoprc before the XDG file, as mpop");
	free(got);
	free(want);
	(void)mkdir(own, 0700);
	want = xasprintf("%s/config", own);
	write_file(want, "account a\nhost h\n", 0600);
	got = config_find_path(&is_mpop);
	ok(strcmp(got, want) == 0 && is_mpop == 0, "popmuch's own first");
	free(got);
	free(want);
	setenv("HOME", "/home/tester", 1);
	free(home);
	free(xdgdir);
	free(own);
}

static void
test_notes_once(void)
{
	struct config *cfg = parse_ok(
	    "account a\nhost h\ndelivery mbox /var/mail/a\n", "a note");
	char *stamp = xasprintf("%s/st/notes", tmpdir), *text;

	text = cfg ? config_notes_text(cfg, 1) : NULL;
	ok(text &&
	       strncmp(text,
		       "reading mpop's t, as there is no popmuch "
		       "configuration",
		       40) == 0 &&
	       strstr(text, "\nt:3: delivery: ") != NULL,
	   "notes text: mpop's file, then each note");
	is_int(config_shown_before(stamp, text ? text : ""), 0,
	       "first time: not shown before");
	is_int(config_shown_before(stamp, text ? text : ""), 1,
	       "second time: shown before");
	is_int(config_shown_before(stamp, "other\n"), 0,
	       "changed: shown again");
	free(text);
	config_free(&cfg);
	cfg = parse_ok("account a\nhost h\n", "no note");
	ok(cfg && config_notes_text(cfg, 0) == NULL, "nothing to say: NULL");
	config_free(&cfg);
	free(stamp);
}

/* The sending keywords (compose.c, outbox.c, the TUI). */
static void
test_sending_keywords(void)
{
	struct config *cfg = parse_ok(
	    "send_with_fetch off\n"
	    "defaults\nsendmail_command \"msmtp -a work -t\"\npgp sign\n"
	    "account a\nhost h\nfrom \"Jane Doe <jane@example.org>\"\n"
	    "account b\nhost h2\npgp off\nsendmail_command\n",
	    "sending keywords");

	if (cfg == NULL)
		return;
	is_int(cfg->send_with_fetch, 0, "send_with_fetch off");
	is_str(cfg->accounts[0]->from, "Jane Doe <jane@example.org>", "from");
	is_str(cfg->accounts[0]->sendmail_command, "msmtp -a work -t",
	       "sendmail_command inherited from defaults");
	is_str(cfg->accounts[0]->pgp, "sign", "pgp inherited");
	ok(cfg->accounts[1]->pgp == NULL, "pgp off unsets it");
	ok(cfg->accounts[1]->sendmail_command == NULL,
	   "an empty sendmail_command: the default");
	config_free(&cfg);
	cfg = parse_ok("account a\nhost h\n", "no sending keywords");
	if (cfg != NULL)
		is_int(cfg->send_with_fetch, 1,
		       "send_with_fetch: on by default");
	config_free(&cfg);
	parse_fails("account a\nhost h\npgp maybe\n",
		    "t:3: pgp: invalid argument", "pgp maybe");
	parse_fails("send_with_fetch sometimes\n",
		    "t:1: send_with_fetch: invalid argument",
		    "send_with_fetch sometimes");
	parse_fails("account a\nhost h\nsend_with_fetch off\n",
		    "is a global setting", "send_with_fetch in an account");
}

int
main(void)
{
	/* No password prompt: stdin is never a terminal here. */
	if (freopen("/dev/null", "r", stdin) == NULL)
		return 99;
	if (mkdtemp(tmpdir) == NULL)
		return 99;
	setenv("HOME", "/home/tester", 1);
	test_defaults();
	test_every_keyword();
	test_more_values();
	test_inheritance();
	test_quoting();
	test_sizes_durations();
	test_bad_values();
	test_refused();
	test_structure_errors();
	test_empty_trust_with_pin();
	test_permissions();
	test_sample();
	test_default_path();
	test_tui_keywords();
	test_sending_keywords();
	test_netrc();
	test_real_mpoprc_files();
	test_mpop_example();
	test_mpop_keywords();
	test_all_errors();
	test_find_path();
	test_notes_once();
	setenv("HOME", tmpdir, 1);
	test_secret_get();
	test_secret_not_in_message();
	{
		char *rm = xasprintf("rm -rf '%s'", tmpdir);

		if (system(rm) != 0)
			diag("cannot remove %s", tmpdir);
		free(rm);
	}
	return done_testing();
}
