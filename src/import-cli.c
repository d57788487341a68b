/* import-cli.c: the command line of 'popmuch import' (main.c's part for
 * this command: it parses its own options, reports and exits). */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "popmuch/err.h"
#include "popmuch/import.h"
#include "popmuch/log.h"
#include "popmuch/xmalloc.h"

const char import_cli_synopsis[] =
    "import [--tag TAG]... [--dry-run] [--maildir DIR] PATH...";
const char import_cli_help[] =
    "Import mail archives: mbox files (mboxo, mboxrd, mboxcl, mboxcl2),\n"
    "Maildir and Maildir++ folders (with their subfolders), MH folders,\n"
    "Outlook PST/OST files (through readpst), and folder trees holding\n"
    "them, into one Maildir under notmuch's mail root, indexed as it\n"
    "goes.  Each message once: a message notmuch already has (same\n"
    "Message-ID and body) is skipped, and a second run adds nothing.\n"
    "Read, replied and flagged states come along (Status, X-Status,\n"
    "X-Mozilla-Status, Maildir flags, MH sequences); the folder's name\n"
    "becomes a tag.\n\n"
    "Options:\n"
    "      --tag TAG        add TAG to every message (-TAG removes one\n"
    "                       of new.tags, e.g. --tag=-inbox); repeatable\n"
    "      --maildir DIR    the Maildir to import into, relative to the\n"
    "                       mail root or absolute inside it (import)\n"
    "      --dry-run        count what would be imported; write nothing";

/* Is the command word "import"?  (Skips the global options.) */
int
import_cli_wanted(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-C") == 0 ||
		    strcmp(argv[i], "--config") == 0 ||
		    strcmp(argv[i], "--progress-fd") == 0 ||
		    strcmp(argv[i], "--index-timeout") == 0) {
			i++;
			continue;
		}
		if (argv[i][0] != '-')
			return strcmp(argv[i], "import") == 0;
		if (strcmp(argv[i], "--") == 0)
			return 0;
	}
	return 0;
}

struct cli_state {
	int tty;
	int shown; /* a progress line is on the terminal */
};

static void
on_progress(void *ctx, const char *source, const struct import_stats *st)
{
	struct cli_state *c = ctx;
	const char *b = strrchr(source, '/');
	char line[128];

	if (!c->tty)
		return;
	(void)snprintf(line, sizeof(line),
		       "import: %llu messages, %llu new, %llu duplicates, "
		       "%.1f MB (%s)",
		       (unsigned long long)st->messages,
		       (unsigned long long)st->imported,
		       (unsigned long long)st->duplicates,
		       (double)st->bytes / 1e6, b ? b + 1 : source);
	fprintf(stderr, "\r%-78.78s", line);
	c->shown = 1;
}

static void
clear_line(struct cli_state *c)
{
	if (c->shown)
		fprintf(stderr, "\r%78s\r", "");
	c->shown = 0;
}

static void
on_error(void *ctx, const char *msg)
{
	clear_line(ctx);
	log_msg(PM_LOG_ERROR, "import: %s", msg);
}

static int
usage_error(const char *msg)
{
	fprintf(stderr, "popmuch: %s\nUsage: popmuch [OPTION...] %s\n", msg,
		import_cli_synopsis);
	return 64;
}

enum { OPT_TAG = 256, OPT_MAILDIR, OPT_DRY };

static const struct option opts[] = {
    {"tag", required_argument, NULL, OPT_TAG},
    {"maildir", required_argument, NULL, OPT_MAILDIR},
    {"dry-run", no_argument, NULL, OPT_DRY},
    {"config", required_argument, NULL, 'C'},
    {"quiet", no_argument, NULL, 'q'},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static int
parse(int argc, char **argv, struct import_opts *o, int *quiet_r,
      char ***tags_r)
{
	int c, help = 0;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":C:qvh", opts, NULL)) != -1) {
		if (c == OPT_TAG) {
			const char *t =
			    optarg + (optarg[0] == '+' || optarg[0] == '-');

			if (*t == '\0' || strpbrk(t, " \t\n") != NULL)
				return usage_error("--tag: a tag is one word");
			*tags_r = xreallocarray(*tags_r, o->ntags + 1,
						sizeof(char *));
			(*tags_r)[o->ntags++] = optarg;
		} else if (c == OPT_MAILDIR) {
			o->maildir = optarg;
		} else if (c == OPT_DRY) {
			o->dry_run = 1;
		} else if (c == 'q') {
			*quiet_r = 1;
		} else if (c == 'h') {
			help = 1;
		} else if (c == ':' || c == '?') {
			char msg[256];

			(void)snprintf(msg, sizeof(msg), "%s %s",
				       c == ':' ? "an argument is missing after"
						: "unknown option",
				       argv[optind - 1]);
			return usage_error(msg);
		}
		/* -C, -v: the popmuch config is not needed by import */
	}
	if (help) {
		printf("Usage: popmuch [OPTION...] %s\n\n%s\n",
		       import_cli_synopsis, import_cli_help);
		return 0;
	}
	if (argc - optind < 2) /* "import" and at least one PATH */
		return usage_error("import: name at least one PATH");
	o->tags = *tags_r;
	return -1;
}

int
import_cli_main(int argc, char **argv)
{
	struct import_opts o = {0};
	struct import_stats st;
	struct cli_state cs = {0};
	struct import_events ev = {&cs, on_progress, on_error};
	struct pm_err err;
	char **tags = NULL;
	enum pm_status s;
	int quiet = 0, rc;

	if ((rc = parse(argc, argv, &o, &quiet, &tags)) >= 0) {
		free(tags);
		return rc;
	}
	log_setup(quiet ? PM_LOG_ERROR : PM_LOG_WARN, 0, 0);
	cs.tty = isatty(STDERR_FILENO) && !quiet;
	o.events = &ev;
	err_clear(&err);
	s = import_run(&o, argv + optind + 1, (size_t)(argc - optind - 1), &st,
		       &err);
	clear_line(&cs);
	if (s != PM_OK)
		log_msg(PM_LOG_ERROR, "import: %s", err.msg);
	if (!quiet)
		printf("import: %llu messages read, %llu %s, %llu duplicates "
		       "skipped, %llu errors\n",
		       (unsigned long long)st.messages,
		       (unsigned long long)st.imported,
		       o.dry_run ? "would be imported" : "imported",
		       (unsigned long long)st.duplicates,
		       (unsigned long long)st.errors);
	free(tags);
	return err_exitcode(s);
}
