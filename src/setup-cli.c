/* setup-cli.c: the front end of "popmuch setup" (setup.h).  Like main.c
 * it prints and prompts; the work is in setup.c, config.c and probe.c.
 *
 * popmuch setup [ADDRESS] [KEYWORD=VALUE...]: ADDRESS is asked for when
 * missing; each KEYWORD=VALUE is a popmuch.conf keyword for the new
 * account (host=, port=, tls_trust_file=, passwordeval=, keep=, ...) or
 * one of setup's own: account=NAME, mail_root=DIR, name=FULL NAME,
 * probe=off.  On a terminal the rest is asked; without one nothing is,
 * and what cannot be found is an error. */
#include "config.h"

#include <ctype.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "popmuch/account.h"
#include "popmuch/autoconfig.h"
#include "popmuch/config.h"
#include "popmuch/fsutil.h"
#include "popmuch/index.h"
#include "popmuch/probe.h"
#include "popmuch/setup.h"
#include "popmuch/xmalloc.h"

struct answers {
	const char *address, *account, *mail_root, *name, *user;
	const char *passwordeval, *client_id;
	int no_probe, interactive, dry_run;
	struct setup_server srv;
	int have_host;
	int user_default; /* no user given: the address (autoconfig's may
			   * replace it) */
	char autoconfig_user[256];
	char *extra;	/* the other KEYWORD VALUE lines, "\n"-terminated */
	char *owned[8]; /* prompted answers, freed at the end */
	int nowned;
};

/* ---- asking ------------------------------------------------------------ */

/* Ask on the terminal; the answer (def when empty), or NULL at EOF.
 * The answer is kept in a for freeing. */
static const char *
ask(struct answers *a, const char *question, const char *def)
{
	char buf[1024];
	size_t len;

	fprintf(stderr, "%s%s%s%s: ", question, def ? " [" : "", def ? def : "",
		def ? "]" : "");
	fflush(stderr);
	if (fgets(buf, sizeof(buf), stdin) == NULL)
		return NULL;
	len = strcspn(buf, "\r\n");
	buf[len] = '\0';
	if (len == 0)
		return def;
	if (a->nowned == (int)(sizeof(a->owned) / sizeof(a->owned[0])))
		return def;
	a->owned[a->nowned] = xstrdup(buf);
	return a->owned[a->nowned++];
}

/* ---- the arguments ----------------------------------------------------- */

static int
take_arg(struct answers *a, char *arg)
{
	char *eq = strchr(arg, '='), *old;
	const char *key = arg, *val;

	if (eq == NULL) {
		if (a->address != NULL) {
			fprintf(stderr,
				"popmuch: setup: one address only "
				"(got %s and %s)\n",
				a->address, arg);
			return 64;
		}
		a->address = arg;
		return 0;
	}
	*eq = '\0';
	val = eq + 1;
	if (strcmp(key, "account") == 0)
		a->account = val;
	else if (strcmp(key, "mail_root") == 0)
		a->mail_root = val;
	else if (strcmp(key, "name") == 0)
		a->name = val;
	else if (strcmp(key, "user") == 0)
		a->user = val;
	else if (strcmp(key, "passwordeval") == 0)
		a->passwordeval = val;
	else if (strcmp(key, "oauth2_client_id") == 0)
		a->client_id = val;
	else if (strcmp(key, "probe") == 0)
		a->no_probe = strcmp(val, "off") == 0;
	else if (strcmp(key, "password") == 0) {
		fprintf(stderr, "popmuch: setup: a password on the command "
				"line is visible to every user (ps); give "
				"passwordeval=COMMAND, or answer on the "
				"terminal\n");
		return 64;
	} else {
		a->have_host |= strcmp(key, "host") == 0;
		old = a->extra;
		a->extra = xasprintf("%s%s %s\n", old ? old : "", key, val);
		free(old);
	}
	return 0;
}

/* ---- finding the server ------------------------------------------------ */

static int
find_server(struct answers *a)
{
	const char *domain = setup_domain(a->address), *host;
	struct pm_err err, aerr;

	if (a->have_host)
		return 0;
	if (setup_provider(domain, &a->srv) ||
	    setup_srv_lookup(domain, &a->srv, &err) == PM_OK ||
	    autoconfig_lookup(a->address, 10, &a->srv, a->autoconfig_user,
			      sizeof(a->autoconfig_user), &aerr) == PM_OK) {
		fprintf(stderr, "Server: %s port %u (%s), from %s\n",
			a->srv.host, a->srv.port,
			a->srv.implicit_tls ? "TLS" : "STLS", a->srv.how);
		if (a->user_default && a->autoconfig_user[0] != '\0')
			a->user = a->autoconfig_user;
		return 0;
	}
	if (!a->interactive) {
		fprintf(stderr,
			"popmuch: setup: cannot find the POP3 server "
			"of %s (not in the provider table, %s, and no "
			"autoconfig: %s); give host=HOST (and port=, "
			"tls_starttls=)\n",
			domain, err.msg, aerr.msg);
		return 69;
	}
	host = ask(a, "POP3 server (host name)", NULL);
	if (host == NULL || *host == '\0')
		return 64;
	(void)snprintf(a->srv.host, sizeof(a->srv.host), "%s", host);
	a->srv.port = 995;
	a->srv.implicit_tls = 1;
	return 0;
}

/* ---- the password ------------------------------------------------------ */

static const char *
keyring_command(struct answers *a, const char *host, const char *user)
{
	if (a->nowned == (int)(sizeof(a->owned) / sizeof(a->owned[0])))
		return NULL;
	a->owned[a->nowned] = xasprintf(
	    "secret-tool lookup host %s service pop3 user %s", host, user);
	return a->owned[a->nowned++];
}

/* Gmail and Microsoft take OAuth2 logins only: the account gets
 * oauth2_provider and the client ID the person registered (popmuch
 * ships none: popmuch.conf(5), OAUTH2), and no password. */
static int
ask_client_id(struct answers *a)
{
	if (a->client_id == NULL && a->interactive) {
		fprintf(stderr,
			"%s accepts POP3 logins with OAuth2 only.  popmuch "
			"signs in itself, with a client ID you register "
			"with the provider (popmuch.conf(5), OAUTH2, says "
			"how).\n",
			a->srv.host);
		a->client_id = ask(a, "OAuth2 client ID", NULL);
	}
	if (a->client_id == NULL || *a->client_id == '\0') {
		fprintf(stderr,
			"popmuch: setup: %s takes OAuth2 logins only: give "
			"oauth2_client_id=ID, the client ID you registered "
			"(popmuch.conf(5), OAUTH2)\n",
			a->srv.host);
		return 64;
	}
	return 0;
}

/* Ask where the password comes from (on a terminal, when not given). */
static int
ask_password(struct answers *a, const char *host)
{
	const char *c;

	if (a->srv.oauth2 != NULL && a->passwordeval == NULL)
		return ask_client_id(a);
	if (a->passwordeval != NULL || !a->interactive)
		return 0;
	fprintf(stderr,
		"Where is the password?\n"
		"  1  in the key ring (as mpop keeps it; secret-tool)\n"
		"  2  printed by a command (such as: pass show mail/home)\n"
		"  3  nowhere: ask on the terminal each time\n");
	c = ask(a, "Choose", "3");
	if (c == NULL)
		return 64;
	if (strcmp(c, "1") == 0) {
		a->passwordeval = keyring_command(a, host, a->user);
		fprintf(stderr,
			"(To put it there: secret-tool store "
			"--label='POP3 %s' host %s service pop3 user "
			"%s)\n",
			host, host, a->user);
	} else if (strcmp(c, "2") == 0)
		a->passwordeval = ask(a, "Command", NULL);
	else if (strcmp(c, "3") != 0)
		return 64;
	return 0;
}

/* ---- the files --------------------------------------------------------- */

/* The account's name: given, else the first label of the domain. */
static char *
account_name(const struct answers *a)
{
	const char *d = setup_domain(a->address);
	size_t n = strcspn(d, ".");
	char *s;

	if (a->account != NULL)
		return xstrdup(a->account);
	s = xstrndup(d, n > 0 ? n : strlen(d));
	for (char *p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
			*p = '_';
	return s;
}

static char *
config_text(const struct answers *a, const char *name)
{
	char *host =
	    a->have_host
		? xstrdup("")
		: xasprintf("host %s\nport %u\n%s", a->srv.host, a->srv.port,
			    a->srv.implicit_tls ? "tls_starttls off\n" : "");
	char *pe = a->passwordeval
		       ? xasprintf("passwordeval \"%s\"\n", a->passwordeval)
		   : a->srv.oauth2 != NULL
		       ? xasprintf("oauth2_provider %s\noauth2_client_id %s\n",
				   a->srv.oauth2, a->client_id)
		       : xstrdup("");
	char *text = xasprintf(
	    "# popmuch configuration, written by popmuch setup; the syntax\n"
	    "# is mpop's, see popmuch.conf(5).\n"
	    "defaults\ntls on\n\n"
	    "account %s\n%suser %s\n%s%s",
	    name, host, a->user, pe, a->extra ? a->extra : "");

	free(host);
	free(pe);
	return text;
}

/* The user's name: given, else the passwd entry's (up to a comma). */
static const char *
full_name(const struct answers *a)
{
	static char buf[256];
	struct passwd *pw = getpwuid(getuid());

	if (a->name != NULL)
		return a->name;
	if (pw == NULL || pw->pw_gecos == NULL)
		return "";
	(void)snprintf(buf, sizeof(buf), "%.*s",
		       (int)strcspn(pw->pw_gecos, ",\n"), pw->pw_gecos);
	return buf;
}

/* The notmuch configuration, when notmuch has none. */
static int
write_notmuch(const struct answers *a)
{
	char *path, *root, *text;
	struct pm_err err;
	int rc = 0;

	if (index_config_check(NULL, &err) == PM_OK)
		return 0;
	path = setup_notmuch_config_path();
	root = account_expand_tilde(a->mail_root ? a->mail_root : "~/mail");
	text = setup_notmuch_config(root, full_name(a), a->address);
	if (a->dry_run) {
		printf("--- %s (new notmuch configuration)\n%s", path, text);
	} else if (setup_write_new(path, text, &err) != PM_OK ||
		   fsutil_mkdirs(root, &err) != PM_OK) {
		fprintf(stderr, "popmuch: setup: %s\n", err.msg);
		rc = err_exitcode(err.code);
	} else {
		fprintf(stderr, "Wrote %s (notmuch: mail in %s)\n", path, root);
	}
	free(text);
	free(root);
	free(path);
	return rc;
}

/* ---- the probe --------------------------------------------------------- */

static int
probe_account(const struct account *acct)
{
	struct probe_report rep = {0};
	struct pm_err err;
	enum pm_status st;

	fprintf(stderr, "Checking %s port %u ...\n", acct->host,
		acct->port ? acct->port : (acct->tls_starttls ? 110 : 995));
	err_clear(&err);
	st = probe_run(acct, NULL, &rep, &err);
	if (rep.tls)
		fprintf(stderr, "TLS:           %s, certificate %s\n",
			rep.tls_info.version,
			rep.cert_problem ? "NOT verified" : "verified");
	for (size_t i = 0; i < rep.nwarnings; i++)
		fprintf(stderr, "Warning:       %s\n", rep.warnings[i]);
	if (st == PM_OK)
		fprintf(stderr,
			"Login:         ok (%u messages on the "
			"server)\n",
			(unsigned)rep.count);
	else
		fprintf(stderr, "popmuch: setup: %s; nothing was written\n",
			err.msg[0]	  ? err.msg
			: rep.login_error ? rep.login_error
					  : err_desc(st));
	probe_report_free(&rep);
	return st == PM_OK ? 0 : err_exitcode(st);
}

/* ---- the command ------------------------------------------------------- */

/* The account signs in with OAuth2 (no token yet: nothing to probe with
 * until popmuch auth). */
static int
oauth2(const struct answers *a)
{
	return a->srv.oauth2 != NULL && a->passwordeval == NULL;
}

static int
gather(struct answers *a, char **args, int nargs)
{
	int rc, i;

	for (i = 0; i < nargs; i++)
		if ((rc = take_arg(a, args[i])) != 0)
			return rc;
	if (a->address == NULL && a->interactive)
		a->address = ask(a, "Your e-mail address", NULL);
	if (a->address == NULL || setup_domain(a->address) == NULL) {
		fprintf(stderr, "popmuch: setup: give your e-mail address "
				"(popmuch setup you@example.org)\n");
		return 64;
	}
	if (a->user == NULL) {
		a->user_default = !a->interactive;
		a->user = a->interactive ? ask(a, "User name", a->address)
					 : a->address;
	}
	if (a->user == NULL)
		return 64;
	if ((rc = find_server(a)) != 0)
		return rc;
	if (a->mail_root == NULL && a->interactive &&
	    index_config_check(NULL, NULL) != PM_OK)
		a->mail_root =
		    ask(a, "Mail directory (new notmuch mail root)", "~/mail");
	return ask_password(a, a->srv.host);
}

static int
run(struct answers *a, const char *path)
{
	struct config *cfg = NULL;
	struct pm_err err;
	char *name = account_name(a), *text = config_text(a, name);
	int rc = 0;

	if (config_parse_string(path, text, &cfg, &err) != PM_OK) {
		fprintf(stderr, "popmuch: setup: %s\n", err.msg);
		rc = 64;
	} else if (!a->no_probe && !oauth2(a)) {
		rc = probe_account(cfg->accounts[0]);
	}
	if (rc == 0 && !a->dry_run && access(path, F_OK) == 0) {
		fprintf(stderr,
			"popmuch: setup: %s already exists; popmuch "
			"setup never replaces it (give -C another "
			"file)\n",
			path);
		rc = 73;
	}
	if (rc == 0)
		rc = write_notmuch(a);
	if (rc == 0 && a->dry_run) {
		printf("--- %s\n%s", path, text);
	} else if (rc == 0 && setup_write_new(path, text, &err) != PM_OK) {
		fprintf(stderr, "popmuch: setup: %s\n", err.msg);
		rc = err_exitcode(err.code);
	} else if (rc == 0) {
		fprintf(stderr,
			"Wrote %s (account %s).\nNext: %s%s%s popmuch fetch "
			"(or popmuch, on a terminal)\n",
			path, name, oauth2(a) ? "popmuch auth " : "",
			oauth2(a) ? name : "",
			oauth2(a) ? " (sign in with the provider; on a "
				    "machine without a browser: popmuch auth "
				    "--device), then"
				  : "");
	}
	config_free(&cfg);
	free(text);
	free(name);
	return rc;
}

int
setup_main(const char *config_path, char **args, int nargs, int dry_run)
{
	struct answers a = {0};
	char *path = config_path ? xstrdup(config_path) : config_default_path();
	int rc;

	a.interactive = isatty(STDIN_FILENO);
	a.dry_run = dry_run;
	rc = gather(&a, args, nargs);
	if (rc == 0)
		rc = run(&a, path);
	for (int i = 0; i < a.nowned; i++)
		free(a.owned[i]);
	free(a.extra);
	free(path);
	return rc;
}
