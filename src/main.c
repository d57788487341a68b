/* main.c: the command line: parse, dispatch, report, exit code. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "popmuch/account.h"
#include "popmuch/config.h"
#include "popmuch/err.h"
#include "popmuch/fault.h"
#include "popmuch/fetch.h"
#include "popmuch/import.h"
#include "popmuch/index.h"
#include "popmuch/log.h"
#include "popmuch/parse.h"
#include "popmuch/probe.h"
#include "popmuch/progress.h"
#include "popmuch/setup.h"
#include "popmuch/secret.h"
#include "popmuch/status.h"
#include "popmuch/stop.h"
#include "popmuch/tui.h"
#include "popmuch/xmalloc.h"
#include "cli-auth.h"
#include "cli-compose.h"
#include "cli-report.h"

struct cli {
	const char *config_path;
	int verbose, quiet, debug;
	int help, version;
	unsigned used; /* O_* options given */
	int progress_fd;
	int index_timeout;
	const char *command;
	int cmd; /* index into commands[], -1: none */
	char **args;
	int nargs;
};

/* Options that only some commands take; getopt_long() returns OPT_ONLY
 * plus the bit for each. */
#define OPT_ONLY 0x10000
#define USED(cli, o) (((cli)->used & (o)) != 0)
enum {
	O_DRY_RUN = 1 << 0,
	O_WAIT = 1 << 1,
	O_SYSLOG = 1 << 2,
	O_PROGRESS_FD = 1 << 3,
	O_INDEX_TIMEOUT = 1 << 4,
	O_DEVICE = 1 << 5,
};

static const struct {
	const char *name, *synopsis, *help;
	unsigned opts; /* the O_* it accepts */
	int min, max;  /* arguments */
} commands[] = {
    {"fetch", "fetch [ACCOUNT...]",
     "Download new mail of every account (or the named ones) into its\n"
     "Maildir, index it with notmuch, and apply the retention policy.\n"
     "Accounts are fetched in parallel ('fetch_parallel', default 4).\n"
     "Silent on success unless on a terminal; one line per failing\n"
     "account on stderr (or syslog).\n\n"
     "Options:\n"
     "      --dry-run           show what would be fetched and deleted\n"
     "      --wait              wait for a locked account\n"
     "      --syslog            report to syslog instead of stderr\n"
     "      --progress-fd N     progress lines on file descriptor N\n"
     "      --index-timeout S   wait S seconds for the notmuch lock "
     "(60)",
     O_DRY_RUN | O_WAIT | O_SYSLOG | O_PROGRESS_FD | O_INDEX_TIMEOUT, 0,
     INT_MAX},
    {"probe", "probe ACCOUNT | HOST[:PORT]",
     "Connect and report greeting, capabilities, TLS and certificate\n"
     "details (with the SHA-256 fingerprint for 'tls_fingerprint'),\n"
     "authentication mechanisms, login (for an account), STAT, UIDL\n"
     "and PIPELINING support, with warnings about what puts mail at\n"
     "risk.  Downloads nothing.  A bare HOST is tried with implicit TLS\n"
     "on port 995, STLS on port 110; on other ports implicit TLS first.\n"
     "Exits with the code 'popmuch fetch' would meet on the way in.",
     0, 1, 1},
    {"status", "status [ACCOUNT...]",
     "Show per account the last run and its result, messages on the\n"
     "server and kept there, messages delivered, what retention deletes\n"
     "next, and pending index work.  Contacts no server.",
     0, 0, INT_MAX},
    {"index", "index",
     "Index messages that earlier runs delivered but could not index\n"
     "(for example while the notmuch database was locked).\n\n"
     "Options: --wait, --syslog, --index-timeout S",
     O_WAIT | O_SYSLOG | O_PROGRESS_FD | O_INDEX_TIMEOUT, 0, 0},
    {"auth", "auth [--device] ACCOUNT",
     "Sign in to an OAuth2 account (oauth2_provider) and store its\n"
     "refresh token, in the key ring when one runs, else in a 0600\n"
     "file under $XDG_STATE_HOME/popmuch/.  Prints a URL to open in a\n"
     "browser (opened with xdg-open when there is a display) and waits\n"
     "for its redirect to 127.0.0.1.  Then logs in once to prove the\n"
     "token works.\n\n"
     "Options:\n"
     "      --device            the device flow, for a machine without a\n"
     "                          browser: prints a URL and a code to enter\n"
     "                          on any other device",
     O_DEVICE, 1, 1},
    {"import", import_cli_synopsis, import_cli_help, O_DRY_RUN, 1,
     INT_MAX}, /* parsed by import_cli_main() */
    /* compose, reply, forward, send: run by cli-compose.c */
    {"compose",
     "compose [--to ADDR]... [--cc ADDR]... [--subject TEXT] "
     "[--attach FILE]... | --draft FILE",
     "Write a new message in $VISUAL/$EDITOR and send it.  A draft left\n"
     "unchanged or emptied is not sent.  The message goes to the outbox\n"
     "first and stays there when it cannot be sent (exit 75).",
     0, 0, INT_MAX},
    {"reply", "reply [--all] QUERY",
     "Reply to the one message QUERY names (e.g. id:MESSAGE-ID): to the\n"
     "sender, or with --all to everyone (Mail-Followup-To when set).",
     0, 0, INT_MAX},
    {"forward", "forward [--attach] [--to ADDR]... QUERY",
     "Forward the message QUERY names, inline or with --attach as an\n"
     "attached message (message/rfc822).",
     0, 0, INT_MAX},
    {"send", "send [--retry NAME | --delete NAME | --mark-sent NAME]",
     "Send what is queued in the outbox (silent on success).  Failed and\n"
     "maybe-sent messages wait for a decision: --retry queues one again,\n"
     "--delete drops it, --mark-sent files it as sent without sending.",
     0, 0, INT_MAX},
    {"demo", "demo",
     "Start a throwaway local Dovecot with sample mail in a temporary\n"
     "HOME, fetch from it, and open the interface.",
     0, 0, 0},
    {"setup", "setup [ADDRESS] [KEYWORD=VALUE...]",
     "First run: find the POP3 server of ADDRESS (a table of common\n"
     "providers, then DNS SRV records), check it (TLS, login), create\n"
     "the notmuch configuration when there is none, and write a\n"
     "popmuch configuration that works.  On a terminal it asks for what\n"
     "it needs; KEYWORD=VALUE pairs answer in advance (host=, port=,\n"
     "tls_starttls=, tls_trust_file=, user=, passwordeval=, keep=, ...,\n"
     "and account=NAME, mail_root=DIR, name=FULL NAME, probe=off).\n"
     "Never replaces a file.\n\n"
     "Options:\n"
     "      --dry-run           print the files instead of writing them",
     O_DRY_RUN, 0, INT_MAX},
    {"help", "help [COMMAND]", "Print the usage, or the help of COMMAND.", 0, 0,
     1},
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void
usage(FILE *f)
{
	fprintf(f, "Usage: popmuch [OPTION...] [COMMAND [ARG...]]\n\n"
		   "Without a command, on a terminal, popmuch opens its TUI "
		   "(text user interface).\n\nCommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  popmuch %s\n", commands[i].synopsis);
	fprintf(f,
		"\nOptions:\n"
		"  -C, --config FILE   configuration file (default "
		"$XDG_CONFIG_HOME/popmuch/config)\n"
		"  -q, --quiet         print nothing but errors\n"
		"  -v, --verbose       say more (repeatable)\n"
		"      --debug         print the protocol transcript "
		"(secrets blanked)\n"
		"      --dry-run       fetch: show what would happen; change "
		"nothing\n"
		"      --wait          fetch, index: wait for an account lock "
		"instead of failing\n"
		"      --syslog        fetch, index: report to syslog instead "
		"of stderr\n"
		"      --version       print the version\n"
		"  -h, --help          this help; 'popmuch COMMAND --help' "
		"for a command\n\n"
		"Exit codes (sysexits): 0 ok, 64 usage, 69 unavailable, 70 "
		"internal,\n73/74 local file errors, 75 temporary failure, "
		"76 protocol,\n77 credentials, 78 configuration.\n"
		"See popmuch(1) and popmuch.conf(5).\n");
}

static int
find_command(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int
command_help(const char *cmd)
{
	int i = find_command(cmd);

	if (i < 0) {
		fprintf(stderr,
			"popmuch: unknown command '%s'; try "
			"'popmuch --help'\n",
			cmd);
		return 64;
	}
	printf("Usage: popmuch [OPTION...] %s\n\n%s\n", commands[i].synopsis,
	       commands[i].help);
	return 0;
}

static int
parse_int_arg(const char *s, int *v_r)
{
	unsigned long v;

	if (parse_ulong(s, INT_MAX, &v) != 0)
		return -1;
	*v_r = (int)v;
	return 0;
}

enum { OPT_DEBUG = 256, OPT_VERSION };

static const struct option longopts[] = {
    {"config", required_argument, NULL, 'C'},
    {"quiet", no_argument, NULL, 'q'},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {"debug", no_argument, NULL, OPT_DEBUG},
    {"version", no_argument, NULL, OPT_VERSION},
    {"dry-run", no_argument, NULL, OPT_ONLY | O_DRY_RUN},
    {"wait", no_argument, NULL, OPT_ONLY | O_WAIT},
    {"syslog", no_argument, NULL, OPT_ONLY | O_SYSLOG},
    {"progress-fd", required_argument, NULL, OPT_ONLY | O_PROGRESS_FD},
    {"index-timeout", required_argument, NULL, OPT_ONLY | O_INDEX_TIMEOUT},
    {"device", no_argument, NULL, OPT_ONLY | O_DEVICE},
    {NULL, 0, NULL, 0},
};

/* One option; returns -1 to go on, else an exit code. */
static int
parse_opt(int c, const char *arg, const char *word, struct cli *cli)
{
	switch (c) {
	case 'C':
		cli->config_path = arg;
		break;
	case 'q':
		cli->quiet = 1;
		break;
	case 'v':
		cli->verbose++;
		break;
	case 'h':
		cli->help = 1;
		break;
	case OPT_DEBUG:
		cli->debug = 1;
		break;
	case OPT_VERSION:
		cli->version = 1;
		break;
	case OPT_ONLY | O_PROGRESS_FD:
	case OPT_ONLY | O_INDEX_TIMEOUT:
		if (parse_int_arg(arg, c == (OPT_ONLY | O_PROGRESS_FD)
					   ? &cli->progress_fd
					   : &cli->index_timeout) != 0) {
			fprintf(stderr, "popmuch: %s: invalid number '%s'\n",
				word, arg);
			return 64;
		}
		cli->used |= (unsigned)c & ~OPT_ONLY;
		break;
	case OPT_ONLY | O_DRY_RUN:
	case OPT_ONLY | O_WAIT:
	case OPT_ONLY | O_SYSLOG:
	case OPT_ONLY | O_DEVICE:
		cli->used |= (unsigned)c & ~OPT_ONLY;
		break;
	case ':':
		fprintf(stderr,
			"popmuch: option %s needs an argument; try "
			"'popmuch --help'\n",
			word);
		return 64;
	default:
		fprintf(stderr,
			"popmuch: unknown option %s; try "
			"'popmuch --help'\n",
			word);
		return 64;
	}
	return -1;
}

/* The command's options and argument count; returns -1 if fine. */
static int
check_command(const struct cli *cli)
{
	int i = cli->cmd;

	for (const struct option *o = longopts; o->name != NULL; o++) {
		unsigned bit = (unsigned)o->val & ~OPT_ONLY;

		if ((o->val & OPT_ONLY) && USED(cli, bit) &&
		    (i < 0 || !(commands[i].opts & bit))) {
			fprintf(stderr, "popmuch: --%s does not apply to %s\n",
				o->name, i < 0 ? "the TUI" : commands[i].name);
			return 64;
		}
	}
	if (i >= 0 &&
	    (cli->nargs < commands[i].min || cli->nargs > commands[i].max)) {
		fprintf(stderr, "Usage: popmuch [OPTION...] %s\n",
			commands[i].synopsis);
		return 64;
	}
	return -1;
}

/* Returns -1 to go on, else an exit code. */
static int
parse_args(int argc, char **argv, struct cli *cli)
{
	int c, rc, prev;

	opterr = 0;
	for (;;) {
		prev = optind;
		c = getopt_long(argc, argv, ":C:qvh", longopts, NULL);
		if (c == -1)
			break;
		/* the word that held the option, for messages */
		if ((rc = parse_opt(
			 c, optarg,
			 optind > prev ? argv[optind - 1] : argv[prev], cli)) >=
		    0)
			return rc;
	}
	if (cli->version) {
		printf("popmuch %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (optind < argc)
		cli->command = argv[optind++];
	cli->args = argv + optind;
	cli->nargs = argc - optind;
	if (cli->command != NULL &&
	    (cli->cmd = find_command(cli->command)) < 0) {
		fprintf(stderr,
			"popmuch: unknown command '%s'; try "
			"'popmuch --help'\n",
			cli->command);
		return 64;
	}
	if (cli->help || (cli->command && strcmp(cli->command, "help") == 0)) {
		const char *about = cli->help	     ? cli->command
				    : cli->nargs > 0 ? cli->args[0]
						     : NULL;

		if (about != NULL)
			return command_help(about);
		usage(stdout);
		return 0;
	}
	return check_command(cli);
}

/* Say once (again only when it changes) that mpop's file is read and
 * what popmuch does in place of mpop's filter, mda, ... */
static void
show_config_notes(const struct config *cfg, int is_mpop)
{
	char *text = config_notes_text(cfg, is_mpop), *stamp = NULL, *line;
	char *nl;

	if (text == NULL)
		return;
	if (account_state_dir(".config-notes-shown", &stamp, NULL) != PM_OK ||
	    !config_shown_before(stamp, text))
		for (line = text; *line != '\0'; line = nl) {
			nl = strchr(line, '\n');
			*nl++ = '\0';
			log_msg(PM_LOG_WARN, "%s", line);
		}
	free(stamp);
	free(text);
}

static int
load_config(const struct cli *cli, struct config **cfg_r)
{
	struct pm_err err;
	int is_mpop = 0;
	char *path = cli->config_path ? xstrdup(cli->config_path)
				      : config_find_path(&is_mpop);
	char *line, *nl;
	enum pm_status st;

	if (access(path, F_OK) != 0 && errno == ENOENT) {
		log_msg(PM_LOG_ERROR,
			"%s: no configuration file%s (see popmuch.conf(5); "
			"an example is popmuch.conf.example in the "
			"documentation)",
			path,
			cli->config_path
			    ? ""
			    : "; run 'popmuch setup', write one, or use -C (no "
			      "~/.mpoprc or "
			      "~/.config/mpop/config either)");
		free(path);
		return err_exitcode(PM_CONFIG);
	}
	st = config_load(path, cfg_r, &err);
	for (line = err.msg; st != PM_OK && line != NULL; line = nl) {
		if ((nl = strchr(line, '\n')) != NULL) /* one line each */
			*nl++ = '\0';
		log_msg(PM_LOG_ERROR, "%s", line);
	}
	if (st == PM_OK && cli->command != NULL)
		show_config_notes(*cfg_r, is_mpop);
	free(path);
	return st == PM_OK ? 0 : err_exitcode(st);
}

/* One line per failing account, always naming it. */
static void
report_results(const struct fetch_result *res, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *name = res[i].account;
		size_t len = strlen(name);
		int named = strncmp(res[i].err.msg, name, len) == 0 &&
			    res[i].err.msg[len] == ':';

		if (res[i].warn_cleartext)
			log_msg(PM_LOG_WARN,
				"%s: the password was sent without TLS "
				"('auth' set explicitly with 'tls off')",
				name);
		if (res[i].status == PM_OK || res[i].quiet)
			continue;
		if (named)
			log_msg(PM_LOG_ERROR, "%s", res[i].err.msg);
		else
			log_msg(PM_LOG_ERROR, "%s: %s", name,
				res[i].err.msg[0] ? res[i].err.msg
						  : err_desc(res[i].status));
	}
}

/* -vv: what the indexer did (issue 16: a poll with nothing new never
 * opens the notmuch database; indexing ends soon after the download). */
static void
report_indexer(const struct index_stats *s)
{
	if (!s->started) {
		log_msg(PM_LOG_VERBOSE, "indexer: not started (nothing to "
					"index); notmuch database not opened");
		return;
	}
	log_msg(PM_LOG_VERBOSE,
		"indexer: %u file(s); notmuch database opened read-write %d "
		"time(s) in %.3f s; indexing ended %.3f s after the last file "
		"was handed over (final commit %.3f s); thread ran %.3f s",
		s->files, s->opened, s->open_s, s->tail_s, s->commit_s,
		s->run_s);
}

/* Before connecting: every account to fetch has a notmuch config. */
static int
check_notmuch_config(const struct cli *cli, const struct config *cfg)
{
	const struct account *a;
	struct pm_err err;
	size_t i, n = cli->nargs > 0 ? (size_t)cli->nargs : cfg->naccounts;

	for (i = 0; i < n; i++) {
		a = cli->nargs > 0 ? config_account(cfg, cli->args[i])
				   : cfg->accounts[i];
		if (a != NULL &&
		    index_config_check(a->notmuch_config, &err) != PM_OK) {
			log_msg(PM_LOG_ERROR, "%s", err.msg);
			return err_exitcode(PM_CONFIG);
		}
	}
	return 0;
}

/* Wipe the configured passwords of the accounts this run does not log
 * in to (all of them for "index"): they need not stay in memory. */
static void
forget_unused_passwords(const struct config *cfg, const struct cli *cli,
			int index_only)
{
	for (size_t i = 0; i < cfg->naccounts; i++) {
		int used = !index_only && cli->nargs == 0;

		/* by name or alias (mpop's "account default : NAME") */
		for (int j = 0; !index_only && j < cli->nargs; j++)
			used |= config_account(cfg, cli->args[j]) ==
				cfg->accounts[i];
		if (!used)
			secret_forget(cfg->accounts[i]);
	}
}

static int
cmd_fetch(const struct cli *cli, int index_only)
{
	struct fetch_opts opts = {0};
	struct fetch_result *res = NULL;
	struct config *cfg = NULL;
	struct progress *pr;
	struct pm_err err;
	enum pm_status st;
	size_t n = 0;
	int rc;

	if ((rc = load_config(cli, &cfg)) != 0)
		return rc;
	if ((rc = check_notmuch_config(cli, cfg)) != 0) {
		config_free(&cfg);
		return rc;
	}
	forget_unused_passwords(cfg, cli, index_only);
	pr = progress_new(isatty(STDERR_FILENO) && !cli->quiet &&
			      !USED(cli, O_SYSLOG) && !cli->debug &&
			      cli->progress_fd <= 0,
			  cli->progress_fd > 0 ? cli->progress_fd : -1);
	opts.dry_run = USED(cli, O_DRY_RUN);
	opts.wait_lock = USED(cli, O_WAIT);
	opts.index_timeout = cli->index_timeout > 0 ? cli->index_timeout : 60;
	opts.parallel = cfg->fetch_parallel > 0 ? cfg->fetch_parallel : 4;
	opts.events = progress_events(pr);
	err_clear(&err);
	if (index_only)
		st = fetch_catch_up_index(cfg, &opts, &res, &n, &err);
	else
		st = fetch_accounts(cfg, cli->args, (size_t)cli->nargs, &opts,
				    &res, &n, &err);
	progress_free(&pr); /* clears the terminal's progress line */
	if (res == NULL && st != PM_OK)
		log_msg(PM_LOG_ERROR, "%s", err.msg);
	report_results(res, n);
	if (n > 0)
		report_indexer(&res[0].index);
	free(res);
	config_free(&cfg);
	return err_exitcode(st);
}

/* The account a probe target names, or NULL for a bare host; -1 in
 * *rc_r when the config is needed and fails, or the target is neither. */
static int
probe_target(const struct cli *cli, struct config **cfg, const char *target,
	     const struct account **acct_r)
{
	char *path = cli->config_path ? xstrdup(cli->config_path)
				      : config_find_path(NULL);
	int looks_like_host = strchr(target, '.') != NULL ||
			      strchr(target, ':') != NULL ||
			      strcmp(target, "localhost") == 0;
	int rc = 0;

	*acct_r = NULL;
	/* An account name needs the config; a bare host does not. */
	if (cli->config_path != NULL || access(path, F_OK) == 0 ||
	    !looks_like_host)
		rc = load_config(cli, cfg);
	free(path);
	if (rc != 0)
		return rc;
	if (*cfg != NULL)
		*acct_r = config_account(*cfg, target);
	if (*acct_r == NULL && !looks_like_host) {
		log_msg(PM_LOG_ERROR,
			"no account named '%s' in %s (to probe "
			"a host, write HOST:PORT or a name with "
			"a dot)",
			target, (*cfg)->path);
		return 64;
	}
	return 0;
}

static int
cmd_probe(const struct cli *cli)
{
	struct probe_report rep;
	struct config *cfg = NULL;
	const struct account *acct = NULL;
	struct pm_err err;
	enum pm_status st;
	int rc;

	if ((rc = probe_target(cli, &cfg, cli->args[0], &acct)) != 0) {
		config_free(&cfg);
		return rc;
	}
	err_clear(&err);
	st = probe_run(acct, cli->args[0], &rep, &err);
	if (rep.host != NULL) /* NULL: the target itself was refused */
		cli_report_probe(&rep, stdout);
	fflush(stdout);
	/* The report already shows a failed login or a refused
	 * certificate; anything else stopped it early: say why. */
	if (st != PM_OK && !rep.login_tried && rep.cert_problem == NULL)
		log_msg(PM_LOG_ERROR, "probe %s: %s", cli->args[0], err.msg);
	probe_report_free(&rep);
	config_free(&cfg);
	return err_exitcode(st);
}

static int
cmd_status(const struct cli *cli)
{
	const struct account **accts = NULL;
	struct config *cfg = NULL;
	struct status_info info;
	struct pm_err err;
	int rc, worst = 0, shown = 0;
	size_t n = 0;

	if ((rc = load_config(cli, &cfg)) != 0)
		return rc;
	if (config_select(cfg, cli->args, (size_t)cli->nargs, &accts, &n,
			  &err) != PM_OK) {
		log_msg(PM_LOG_ERROR, "%s", err.msg);
		worst = err_exitcode(err.code);
	}
	for (size_t i = 0; i < n; i++) {
		const struct account *a = accts[i];

		if (status_collect(a, &info, &err) != PM_OK) {
			log_msg(PM_LOG_ERROR, "%s: %s", a->name, err.msg);
			if (err_severity(err.code) > err_severity(PM_OK))
				worst = err_exitcode(err.code);
			continue;
		}
		if (shown++ > 0)
			putchar('\n');
		cli_report_status(a, &info, stdout);
	}
	if (worst == 0 && cli->nargs == 0) /* the outbox (cli-compose.c) */
		worst = cli_outbox_status(cfg, stdout);
	free(accts);
	config_free(&cfg);
	return worst;
}

static int
cmd_auth(const struct cli *cli)
{
	struct config *cfg = NULL;
	const struct account *a;
	struct pm_err err;
	enum pm_status st;
	int rc;

	if ((rc = load_config(cli, &cfg)) != 0)
		return rc;
	if ((a = config_account(cfg, cli->args[0])) == NULL) {
		log_msg(PM_LOG_ERROR, "no account named '%s' in %s",
			cli->args[0], cfg->path);
		config_free(&cfg);
		return 64;
	}
	err_clear(&err);
	if (a->oauth2_provider == NULL)
		st = err_set(&err, PM_CONFIG,
			     "account %s has no oauth2_provider; see "
			     "popmuch.conf(5), OAUTH2",
			     a->name);
	else
		st = cli_auth_account(a, USED(cli, O_DEVICE), &err);
	if (st != PM_OK)
		log_msg(PM_LOG_ERROR, "auth %s: %s", a->name, err.msg);
	config_free(&cfg);
	return err_exitcode(st);
}

static int
cmd_demo(void)
{
	char *script = xasprintf("%s/demo.sh", PKGDATADIR);
	char self[PATH_MAX];
	ssize_t len;

	if (access(script, R_OK) != 0) {
		free(script);
		script = xasprintf("%s/tests/demo.sh", TOP_SRCDIR);
	}
	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (len > 0) {
		self[len] = '\0';
		setenv("POPMUCH", self, 0);
	}
	execl("/bin/bash", "bash", script, (char *)NULL);
	fprintf(stderr, "popmuch: cannot run %s\n", script);
	free(script);
	return 69;
}

static int
cmd_tui(const struct cli *cli)
{
	struct config *cfg = NULL;
	char self[PATH_MAX];
	char *path;
	ssize_t len;
	int rc;

	if ((rc = load_config(cli, &cfg)) != 0)
		return rc;
	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	self[len > 0 ? len : 0] = '\0';
	path = cli->config_path ? xstrdup(cli->config_path)
				: config_find_path(NULL);
	rc = tui_main(cfg, path, len > 0 ? self : "popmuch");
	free(path);
	config_free(&cfg);
	return rc;
}

/* ---- a process that holds secrets (issue 10) ---------------------------- */

static void
on_stop_signal(int sig)
{
	stop_request(sig);
}

/* SIGTERM, SIGINT and SIGHUP end "popmuch fetch" cleanly: every wait
 * ends (stop.h), the batch in hand is delivered or removed, the run
 * exits 75.  No SA_RESTART, so a blocking call returns EINTR;
 * SA_RESETHAND, so a second signal ends the process at once (which is
 * as safe as kill -9: the next run recovers). */
static void
catch_stop_signals(void)
{
	static const int sigs[] = {SIGTERM, SIGINT, SIGHUP};
	struct sigaction sa;

	stop_init();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction old;

		/* Ignored from the start (nohup, a script's background
		 * job): it stays ignored. */
		if (sigaction(sigs[i], NULL, &old) == 0 &&
		    old.sa_handler == SIG_IGN)
			continue;
		(void)sigaction(sigs[i], &sa, NULL);
	}
}

/* fetch and probe read passwords: no core dump, and no ptrace or
 * /proc/PID/mem by other processes of the user, for the whole process
 * (simplest: the secret may be read at any moment of a run). */
static void
protect_secrets(void)
{
	struct rlimit rl;

	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (getrlimit(RLIMIT_CORE, &rl) == 0) {
		rl.rlim_cur = 0;
		(void)setrlimit(RLIMIT_CORE, &rl);
	}
}

/* A fetch that a signal ended exits 75 even where every account was
 * done. */
static int
stopped_exit(int rc)
{
	if (!stop_requested() || rc != 0)
		return rc;
	log_msg(PM_LOG_ERROR, "interrupted by signal (%s)", stop_signal_name());
	return err_exitcode(PM_TEMPFAIL);
}

int
main(int argc, char **argv)
{
	struct cli cli = {0};
	int rc;

	cli.cmd = -1;
	if ((rc = fault_query(argc, argv)) >= 0) /* tests/popmuch-fault only */
		return rc;
	if (import_cli_wanted(argc, argv)) /* its own options */
		return import_cli_main(argc, argv);
	if ((rc = cli_compose_main(argc, argv)) >= 0) /* compose, reply, ... */
		return rc;
	if ((rc = parse_args(argc, argv, &cli)) >= 0)
		return rc;
	log_setup(cli.quiet ? PM_LOG_ERROR : PM_LOG_WARN + cli.verbose,
		  cli.debug, USED(&cli, O_SYSLOG));
	if (cli.command == NULL) {
		if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO))
			return cmd_tui(&cli);
		usage(stderr);
		return 64;
	}
	if (strcmp(cli.command, "fetch") == 0 ||
	    strcmp(cli.command, "probe") == 0)
		protect_secrets();
	if (strcmp(cli.command, "fetch") == 0)
		catch_stop_signals();
	if (strcmp(cli.command, "fetch") == 0 ||
	    strcmp(cli.command, "index") == 0) {
		rc = stopped_exit(
		    cmd_fetch(&cli, strcmp(cli.command, "index") == 0));
		if (index_abandoned()) {
			/* A thread is still blocked inside libnotmuch on the
			 * database lock: leave without running library
			 * destructors under it. */
			fflush(stdout);
			fflush(stderr);
			_exit(rc);
		}
		return rc;
	}
	if (strcmp(cli.command, "probe") == 0)
		return cmd_probe(&cli);
	if (strcmp(cli.command, "status") == 0)
		return cmd_status(&cli);
	if (strcmp(cli.command, "auth") == 0)
		return cmd_auth(&cli);
	if (strcmp(cli.command, "setup") == 0)
		return setup_main(cli.config_path, cli.args, cli.nargs,
				  USED(&cli, O_DRY_RUN));
	return cmd_demo();
}
