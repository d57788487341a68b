/* main.c: the command line: parse, dispatch, report, exit code. */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "popmuch/config.h"
#include "popmuch/err.h"
#include "popmuch/fetch.h"
#include "popmuch/log.h"
#include "popmuch/probe.h"
#include "popmuch/progress.h"
#include "popmuch/status.h"
#include "popmuch/tui.h"
#include "popmuch/xmalloc.h"

struct cli {
	const char *config_path;
	int verbose, quiet, debug, dry_run, wait, use_syslog;
	int progress_fd;
	int index_timeout;
	const char *command;
	char **args;
	int nargs;
};

static const struct {
	const char *name, *synopsis, *help;
} commands[] = {
	{"fetch", "fetch [ACCOUNT...]",
	 "Download new mail of every account (or the named ones) into its\n"
	 "Maildir, index it with notmuch, and apply the retention policy.\n"
	 "Silent on success; one line per failing account on stderr.\n"
	 "Options: --dry-run, --wait, --syslog, --progress-fd N,\n"
	 "         --index-timeout SECONDS (default 60)"},
	{"probe", "probe ACCOUNT | HOST[:PORT]",
	 "Connect and report greeting, capabilities, TLS and certificate\n"
	 "details, authentication mechanisms, login, STAT, UIDL and\n"
	 "PIPELINING support, with warnings about what puts mail at risk.\n"
	 "Downloads nothing."},
	{"status", "status [ACCOUNT...]",
	 "Show per account the last run, messages on the server and kept,\n"
	 "messages delivered, what retention deletes next, pending index work."},
	{"index", "index",
	 "Index messages that earlier runs delivered but could not index\n"
	 "(for example while the notmuch database was locked)."},
	{"demo", "demo",
	 "Start a throwaway local Dovecot with sample mail in a temporary\n"
	 "HOME, fetch from it, and open the interface."},
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
		"      --dry-run       show what fetch would do; change "
		"nothing\n"
		"      --wait          wait for an account lock instead of "
		"failing\n"
		"      --syslog        log to syslog instead of stderr\n"
		"      --version       print the version\n"
		"  -h, --help          this help; 'popmuch COMMAND --help' "
		"for a command\n\n"
		"Exit codes (sysexits): 0 ok, 64 usage, 69 unavailable, 70 "
		"internal,\n73/74 local file errors, 75 temporary failure, "
		"76 protocol,\n77 credentials, 78 configuration.\n"
		"See popmuch(1) and popmuch.conf(5).\n");
}

static int
command_help(const char *cmd)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, cmd) == 0) {
			printf("Usage: popmuch [OPTION...] %s\n\n%s\n",
			       commands[i].synopsis, commands[i].help);
			return 0;
		}
	fprintf(stderr, "popmuch: unknown command '%s'\n", cmd);
	return 64;
}

static int
parse_int_arg(const char *s, int *v_r)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < 0 || v > INT_MAX)
		return -1;
	*v_r = (int)v;
	return 0;
}

enum { OPT_DEBUG = 256, OPT_DRY_RUN, OPT_WAIT, OPT_SYSLOG, OPT_VERSION,
       OPT_PROGRESS_FD, OPT_INDEX_TIMEOUT };

/* Returns -1 to go on, else an exit code. */
static int
parse_args(int argc, char **argv, struct cli *cli)
{
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'C'},
		{"quiet", no_argument, NULL, 'q'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{"debug", no_argument, NULL, OPT_DEBUG},
		{"dry-run", no_argument, NULL, OPT_DRY_RUN},
		{"wait", no_argument, NULL, OPT_WAIT},
		{"syslog", no_argument, NULL, OPT_SYSLOG},
		{"version", no_argument, NULL, OPT_VERSION},
		{"progress-fd", required_argument, NULL, OPT_PROGRESS_FD},
		{"index-timeout", required_argument, NULL, OPT_INDEX_TIMEOUT},
		{NULL, 0, NULL, 0},
	};
	int c, help = 0;

	while ((c = getopt_long(argc, argv, "C:qvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'C': cli->config_path = optarg; break;
		case 'q': cli->quiet = 1; break;
		case 'v': cli->verbose++; break;
		case 'h': help = 1; break;
		case OPT_DEBUG: cli->debug = 1; break;
		case OPT_DRY_RUN: cli->dry_run = 1; break;
		case OPT_WAIT: cli->wait = 1; break;
		case OPT_SYSLOG: cli->use_syslog = 1; break;
		case OPT_VERSION:
			printf("popmuch %s\n", PACKAGE_VERSION);
			return 0;
		case OPT_PROGRESS_FD:
		case OPT_INDEX_TIMEOUT:
			if (parse_int_arg(optarg, c == OPT_PROGRESS_FD
							  ? &cli->progress_fd
							  : &cli->index_timeout) != 0) {
				fprintf(stderr, "popmuch: invalid number "
						"'%s'\n", optarg);
				return 64;
			}
			break;
		default:
			fprintf(stderr, "Try 'popmuch --help'.\n");
			return 64;
		}
	}
	if (optind < argc)
		cli->command = argv[optind++];
	cli->args = argv + optind;
	cli->nargs = argc - optind;
	if (help) {
		if (cli->command != NULL)
			return command_help(cli->command);
		usage(stdout);
		return 0;
	}
	return -1;
}

static int
load_config(const struct cli *cli, struct config **cfg_r)
{
	struct pm_err err;
	char *path = cli->config_path ? xstrdup(cli->config_path)
				      : config_default_path();
	enum pm_status st = config_load(path, cfg_r, &err);

	if (st != PM_OK)
		log_msg(PM_LOG_ERROR, "%s", err.msg);
	free(path);
	return st == PM_OK ? 0 : err_exitcode(st);
}

static void
report_results(const struct fetch_result *res, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (res[i].warn_cleartext)
			log_msg(PM_LOG_WARN,
				"%s: the password was sent without TLS "
				"('auth' set explicitly with 'tls off')",
				res[i].account);
		if (res[i].status != PM_OK)
			log_msg(PM_LOG_ERROR, "%s", res[i].err.msg);
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
	pr = progress_new(isatty(STDERR_FILENO) && !cli->quiet &&
				  !cli->use_syslog && cli->progress_fd <= 0,
			  cli->progress_fd > 0 ? cli->progress_fd : -1);
	opts.dry_run = cli->dry_run;
	opts.wait_lock = cli->wait;
	opts.index_timeout = cli->index_timeout > 0 ? cli->index_timeout : 60;
	opts.parallel = cfg->fetch_parallel > 0 ? cfg->fetch_parallel : 4;
	opts.events = progress_events(pr);
	err_clear(&err);
	if (index_only)
		st = fetch_catch_up_index(cfg, &opts, &res, &n, &err);
	else
		st = fetch_accounts(cfg, cli->args, (size_t)cli->nargs, &opts,
				    &res, &n, &err);
	if (res == NULL && st != PM_OK)
		log_msg(PM_LOG_ERROR, "%s", err.msg);
	report_results(res, n);
	free(res);
	progress_free(&pr);
	config_free(&cfg);
	return err_exitcode(st);
}

static void
print_probe(const struct probe_report *r, FILE *f)
{
	const struct net_tls_info *t = &r->tls_info;
	char from[32] = "", until[32] = "";

	fprintf(f, "Server:        %s port %u (%s)\n", r->host, r->port,
		r->tls_mode);
	if (r->greeting)
		fprintf(f, "Greeting:      %s\n", r->greeting);
	if (r->tls) {
		strftime(from, sizeof(from), "%Y-%m-%d",
			 gmtime(&t->not_before));
		strftime(until, sizeof(until), "%Y-%m-%d",
			 gmtime(&t->not_after));
		fprintf(f, "TLS:           %s, %s\n", t->version, t->cipher);
		fprintf(f, "Certificate:   %s\n", t->subject);
		fprintf(f, "Issuer:        %s\n", t->issuer);
		fprintf(f, "Valid:         %s to %s\n", from, until);
		fprintf(f, "SHA-256:       %s\n", t->sha256);
		fprintf(f, "               (for 'tls_fingerprint %s')\n",
			t->sha256);
	}
	if (r->capa)
		fprintf(f, "Capabilities:  %s\n", r->capa);
	if (r->capa)
		fprintf(f, "Auth offered:  %s%s%s\n", r->sasl ? r->sasl : "",
			r->user_cmd ? " USER" : "", r->apop ? " APOP" : "");
	if (r->capa)
		fprintf(f, "UIDL:          %s\nPIPELINING:    %s\n",
			r->uidl ? "yes" : "no", r->pipelining ? "yes" : "no");
	if (r->auth_method)
		fprintf(f, "Auth method:   %s\n", r->auth_method);
	if (r->login_tried || r->login_error)
		fprintf(f, "Login:         %s%s\n",
			r->login_ok ? "ok" : "FAILED: ",
			r->login_ok ? "" : r->login_error);
	else
		fprintf(f, "Login:         not tried (probe an account "
			   "name to test the login)\n");
	if (r->stat_ok)
		fprintf(f, "Mailbox:       %" PRIu32 " messages, %" PRIu64
			   " bytes\n", r->count, r->size);
	for (size_t i = 0; i < r->nwarnings; i++)
		fprintf(f, "Warning:       %s\n", r->warnings[i]);
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

	if (cli->nargs != 1) {
		fprintf(stderr, "Usage: popmuch probe ACCOUNT | HOST[:PORT]\n");
		return 64;
	}
	/* An account name needs the config; a bare host does not. */
	if (cli->config_path != NULL && (rc = load_config(cli, &cfg)) != 0)
		return rc;
	if (cfg == NULL) {
		char *path = config_default_path();

		if (access(path, F_OK) == 0 && (rc = load_config(cli, &cfg)))
			return free(path), rc;
		free(path);
	}
	if (cfg != NULL)
		acct = config_account(cfg, cli->args[0]);
	st = probe_run(acct, cli->args[0], &rep, &err);
	print_probe(&rep, stdout);
	if (st == PM_OK && rep.login_tried && !rep.login_ok)
		st = PM_NOPERM;
	if (st != PM_OK && st != PM_NOPERM)
		log_msg(PM_LOG_ERROR, "probe %s: %s", cli->args[0], err.msg);
	probe_report_free(&rep);
	config_free(&cfg);
	return err_exitcode(st);
}

static void
print_status(const struct account *a, const struct status_info *s, FILE *f)
{
	char when[64] = "never";
	time_t t = (time_t)s->last_time;

	if (s->has_run)
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S",
			 localtime(&t));
	fprintf(f, "%s:\n", a->name);
	fprintf(f, "  last run:       %s%s%s%s\n", when,
		s->has_run ? " (" : "", s->has_run ? s->last_status : "",
		s->has_run ? ")" : "");
	if (s->has_run && s->last_message[0])
		fprintf(f, "  last error:     %s\n", s->last_message);
	if (s->running)
		fprintf(f, "  fetch running:  yes (the account is locked)\n");
	if (s->has_run)
		fprintf(f, "  on the server:  %" PRIu32 " (%" PRIu32
			   " kept there)\n  last fetch:     %" PRIu32
			   " new, %" PRIu32 " deleted\n",
			s->on_server, s->kept, s->fetched, s->deleted);
	fprintf(f, "  known messages: %" PRIu64 "\n", s->journal_entries);
	if (a->keep == CFG_KEEP_DAYS) {
		fprintf(f, "  retention:      %" PRIu64
			   " due for deletion at the next run",
			s->due_now);
		if (s->next_due != 0) {
			t = (time_t)s->next_due;
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M",
				 localtime(&t));
			fprintf(f, "; next falls due %s", when);
		}
		fputc('\n', f);
	} else {
		fprintf(f, "  retention:      %s\n",
			a->keep == CFG_KEEP_ON ? "keep on (nothing deleted)"
					       : "keep off (deleted once stored)");
	}
	fprintf(f, "  index pending:  %" PRIu64 "\n", s->index_pending);
}

static int
cmd_status(const struct cli *cli)
{
	struct config *cfg = NULL;
	struct status_info info;
	struct pm_err err;
	int rc, worst = 0;

	if ((rc = load_config(cli, &cfg)) != 0)
		return rc;
	for (size_t i = 0; i < cfg->naccounts; i++) {
		const struct account *a = cfg->accounts[i];
		int wanted = cli->nargs == 0;

		for (int j = 0; j < cli->nargs; j++)
			wanted |= strcmp(cli->args[j], a->name) == 0;
		if (!wanted)
			continue;
		if (status_collect(a, &info, &err) != PM_OK) {
			log_msg(PM_LOG_ERROR, "%s: %s", a->name, err.msg);
			worst = err_exitcode(err.code);
			continue;
		}
		print_status(a, &info, stdout);
	}
	for (int j = 0; j < cli->nargs; j++)
		if (config_account(cfg, cli->args[j]) == NULL) {
			log_msg(PM_LOG_ERROR, "no account named '%s'",
				cli->args[j]);
			worst = 64;
		}
	config_free(&cfg);
	return worst;
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
				: config_default_path();
	rc = tui_main(cfg, path, len > 0 ? self : "popmuch");
	free(path);
	config_free(&cfg);
	return rc;
}

int
main(int argc, char **argv)
{
	struct cli cli = {0};
	int rc;

	if ((rc = parse_args(argc, argv, &cli)) >= 0)
		return rc;
	log_setup(cli.quiet ? PM_LOG_ERROR : PM_LOG_WARN + cli.verbose,
		  cli.debug, cli.use_syslog);
	if (cli.command == NULL) {
		if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO))
			return cmd_tui(&cli);
		usage(stderr);
		return 64;
	}
	if (strcmp(cli.command, "fetch") == 0)
		return cmd_fetch(&cli, 0);
	if (strcmp(cli.command, "index") == 0)
		return cmd_fetch(&cli, 1);
	if (strcmp(cli.command, "probe") == 0)
		return cmd_probe(&cli);
	if (strcmp(cli.command, "status") == 0)
		return cmd_status(&cli);
	if (strcmp(cli.command, "demo") == 0)
		return cmd_demo();
	fprintf(stderr, "popmuch: unknown command '%s'; try 'popmuch --help'\n",
		cli.command);
	return 64;
}
