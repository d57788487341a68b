/* cli-compose.c: popmuch compose, reply, forward and send.
 *
 * The draft goes to $VISUAL (else $EDITOR, else vi) in a file under
 * $XDG_STATE_HOME/popmuch/.drafts/; the file is removed only once the
 * message is safely in the outbox, so an error or a crash loses
 * nothing ("--draft FILE" takes it up again). */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "popmuch/compose.h"
#include "popmuch/editor.h"
#include "popmuch/config.h"
#include "popmuch/err.h"
#include "popmuch/fault.h"
#include "popmuch/identity.h"
#include "popmuch/index.h"
#include "popmuch/log.h"
#include "popmuch/nmstore.h"
#include "popmuch/outbox.h"
#include "popmuch/xmalloc.h"
#include "cli-compose.h"

struct ccli {
	const char *config_path, *cmd, *subject, *draft;
	int quiet, verbose, all, attach_orig;
	int retry, forget, mark_sent;
	GPtrArray *to, *cc, *attach;
	char **args;
	int nargs;
	struct config *cfg;
	const char *nmcfg;
	char *root;
};

static int
fail(struct pm_err *err)
{
	log_msg(PM_LOG_ERROR, "%s", err->msg);
	return err_exitcode(err->code);
}

/* The global options before the command word; the index of the word or
 * -1 when it is not one of ours. */
static int
find_cmd(int argc, char **argv, struct ccli *c)
{
	static const char *const ours[] = {"compose", "reply", "forward",
					   "send"};
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if ((strcmp(a, "-C") == 0 || strcmp(a, "--config") == 0) &&
		    i + 1 < argc)
			c->config_path = argv[++i];
		else if (strncmp(a, "--config=", 9) == 0)
			c->config_path = a + 9;
		else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0)
			c->quiet = 1;
		else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0)
			c->verbose++;
		else if (a[0] == '-')
			return -1; /* main() knows the rest */
		else
			break;
	}
	if (i == argc)
		return -1;
	for (size_t k = 0; k < 4; k++)
		if (strcmp(argv[i], ours[k]) == 0) {
			/* "--help" after the command: main() prints it */
			for (int j = i + 1; j < argc; j++)
				if (strcmp(argv[j], "--help") == 0 ||
				    strcmp(argv[j], "-h") == 0)
					return -1;
			c->cmd = ours[k];
			return i;
		}
	return -1;
}

enum {
	O_TO = 256,
	O_CC,
	O_SUBJECT,
	O_ATTACH,
	O_ALL,
	O_DRAFT,
	O_RETRY,
	O_DELETE,
	O_SENT
};

static int
parse_cmd_opts(int argc, char **argv, struct ccli *c)
{
	/* forward --attach takes no file: it attaches the original */
	struct option lo[] = {
	    {"to", required_argument, NULL, O_TO},
	    {"cc", required_argument, NULL, O_CC},
	    {"subject", required_argument, NULL, O_SUBJECT},
	    {"attach", required_argument, NULL, O_ATTACH},
	    {"all", no_argument, NULL, O_ALL},
	    {"draft", required_argument, NULL, O_DRAFT},
	    {"retry", no_argument, NULL, O_RETRY},
	    {"delete", no_argument, NULL, O_DELETE},
	    {"mark-sent", no_argument, NULL, O_SENT},
	    {NULL, 0, NULL, 0},
	};
	int o, fwd = strcmp(c->cmd, "forward") == 0;

	if (fwd)
		lo[3].has_arg = no_argument;
	optind = 1;
	opterr = 0;
	while ((o = getopt_long(argc, argv, "+", lo, NULL)) != -1) {
		switch (o) {
		case O_TO:
			g_ptr_array_add(c->to, optarg);
			break;
		case O_CC:
			g_ptr_array_add(c->cc, optarg);
			break;
		case O_SUBJECT:
			c->subject = optarg;
			break;
		case O_ATTACH:
			if (fwd)
				c->attach_orig = 1;
			else
				g_ptr_array_add(c->attach, optarg);
			break;
		case O_ALL:
			c->all = 1;
			break;
		case O_DRAFT:
			c->draft = optarg;
			break;
		case O_RETRY:
			c->retry = 1;
			break;
		case O_DELETE:
			c->forget = 1;
			break;
		case O_SENT:
			c->mark_sent = 1;
			break;
		default:
			log_msg(PM_LOG_ERROR,
				"%s: unknown option or missing argument %s; "
				"try 'popmuch %s --help'",
				c->cmd, argv[optind - 1], c->cmd);
			return 64;
		}
	}
	c->args = argv + optind;
	c->nargs = argc - optind;
	return -1;
}

static int
setup(struct ccli *c)
{
	struct pm_err err;
	char *path =
	    c->config_path ? xstrdup(c->config_path) : config_default_path();
	enum pm_status st = config_load(path, &c->cfg, &err);

	free(path);
	if (st != PM_OK)
		return fail(&err);
	c->nmcfg =
	    c->cfg->naccounts > 0 ? c->cfg->accounts[0]->notmuch_config : NULL;
	if (index_mail_root(c->nmcfg, &c->root, &err) != PM_OK)
		return fail(&err);
	return -1;
}

/* Queue the message and send the outbox; the exit code. */
static int
queue_and_send(struct ccli *c, const struct compose_msg *m,
	       const char *draft_path)
{
	struct outbox *ob = NULL;
	struct outbox_result res;
	struct pm_err err;
	enum pm_status st;
	char *name = NULL;

	if ((st = outbox_open(c->root, c->nmcfg, &ob, &err)) != PM_OK ||
	    (st = outbox_queue(ob, m->data, m->len, &name, &err)) != PM_OK) {
		log_msg(PM_LOG_ERROR, "%s; the draft is kept in %s", err.msg,
			draft_path);
		outbox_free(&ob);
		return err_exitcode(st);
	}
	/* the draft goes once the message is durable: a crash in between
	 * leaves both, and 'popmuch status' shows the queued one */
	unlink(draft_path);
	FAULT("compose-queued");
	/* this message only, so the exit code is its own; 'popmuch send'
	 * and the TUI send the rest of the queue */
	st = outbox_send(ob, c->cfg, name, 60, &res, &err);
	if (st == PM_OK && !c->quiet)
		fprintf(stderr, "popmuch: sent\n");
	else if (st != PM_OK)
		log_msg(PM_LOG_ERROR,
			"%s; the message is in the outbox as %s%s", err.msg,
			name,
			st == PM_TEMPFAIL || st == PM_LOCKED
			    ? ": 'popmuch send' sends it when the "
			      "network is back"
			    : "");
	if (res.report[0] && st != PM_OK)
		fprintf(stderr, "%s", res.report);
	free(name);
	outbox_free(&ob);
	return err_exitcode(st);
}

static char *
slurp(const char *path)
{
	gchar *data = NULL;

	if (!g_file_get_contents(path, &data, NULL, NULL))
		return NULL;
	return data;
}

/* Write the draft, edit it, build and send it. */
static int
edit_and_send(struct ccli *c, const char *text, const char *path)
{
	struct compose_msg *m = NULL;
	struct pm_err err;
	char *after;
	int rc;

	if ((rc = editor_run(path)) != 0) {
		log_msg(PM_LOG_ERROR,
			"the editor failed (exit %d); not sent; "
			"the draft is kept in %s",
			rc, path);
		return 70;
	}
	if ((after = slurp(path)) == NULL) {
		log_msg(PM_LOG_ERROR, "%s: the draft is gone; not sent", path);
		return 66;
	}
	if (compose_draft_is_empty(after) ||
	    (text != NULL && strcmp(after, text) == 0)) {
		if (!c->quiet)
			fprintf(stderr, "popmuch: not sent: the draft was %s\n",
				compose_draft_is_empty(after) ? "emptied"
							      : "left "
								"unchanged");
		unlink(path);
		g_free(after);
		return 0;
	}
	if (compose_build(after, &m, &err) != PM_OK) {
		log_msg(PM_LOG_ERROR,
			"not sent: %s; the draft is kept in %s "
			"('popmuch compose --draft %s' to "
			"edit it again)",
			err.msg, path, path);
		g_free(after);
		return err_exitcode(err.code);
	}
	g_free(after);
	rc = queue_and_send(c, m, path);
	compose_msg_free(&m);
	return rc;
}

static int
cmd_write(struct ccli *c)
{
	struct compose_opts o = {0};
	struct identities *ids = NULL;
	struct pm_err err;
	char *orig = NULL, *text = NULL, *path;
	int rc, reply = strcmp(c->cmd, "reply") == 0;

	if (c->draft != NULL)
		return edit_and_send(c, NULL, c->draft);
	if ((strcmp(c->cmd, "compose") == 0) != (c->nargs == 0)) {
		log_msg(PM_LOG_ERROR, "Usage: popmuch %s",
			c->cmd[0] == 'c'
			    ? "compose [--to ADDR]... [--cc ADDR]... "
			      "[--subject TEXT] [--attach FILE]..."
			: reply ? "reply [--all] QUERY"
				: "forward [--attach] QUERY");
		return 64;
	}
	if (identities_load(c->cfg, c->nmcfg, &ids, &err) != PM_OK)
		return fail(&err);
	if (c->nargs > 0) {
		char *q = g_strjoinv(" ", c->args);

		if (nmstore_find_one(c->nmcfg, q, &orig, &err) != PM_OK) {
			g_free(q);
			identities_free(&ids);
			return fail(&err);
		}
		g_free(q);
	}
	o.kind = c->nargs == 0	  ? COMPOSE_NEW
		 : reply	  ? (c->all ? COMPOSE_REPLY_ALL : COMPOSE_REPLY)
		 : c->attach_orig ? COMPOSE_FORWARD_ATTACHED
				  : COMPOSE_FORWARD;
	o.orig_path = orig;
	o.html_cmd = c->cfg->html_command;
	o.to = (const char *const *)c->to->pdata, o.nto = c->to->len;
	o.cc = (const char *const *)c->cc->pdata, o.ncc = c->cc->len;
	o.attach = (const char *const *)c->attach->pdata;
	o.nattach = c->attach->len;
	o.subject = c->subject;
	rc = compose_draft(ids, &o, &text, &err) != PM_OK ? fail(&err) : -1;
	identities_free(&ids);
	free(orig);
	if (rc >= 0)
		return rc;
	if (editor_draft_new(text, &path, &err) != PM_OK) {
		free(text);
		return fail(&err);
	}
	rc = edit_and_send(c, text, path);
	free(text);
	free(path);
	return rc;
}

static int
cmd_send(struct ccli *c)
{
	struct outbox *ob = NULL;
	struct outbox_result res;
	struct pm_err err;
	enum pm_status st;
	int decide = c->retry + c->forget + c->mark_sent;

	if (decide > 1 || (decide == 1) != (c->nargs == 1) || c->nargs > 1) {
		log_msg(PM_LOG_ERROR, "Usage: popmuch send [--retry | --delete "
				      "| --mark-sent NAME]");
		return 64;
	}
	if ((st = outbox_open(c->root, c->nmcfg, &ob, &err)) != PM_OK)
		return fail(&err);
	if (decide)
		st = c->retry
			 ? outbox_retry(ob, c->args[0], &err)
			 : outbox_forget(ob, c->args[0], c->mark_sent, &err);
	else
		st = outbox_send(ob, c->cfg, NULL, 60, &res, &err);
	if (st != PM_OK) {
		log_msg(PM_LOG_ERROR, "%s", err.msg);
		if (!decide && res.report[0])
			fprintf(stderr, "%s", res.report);
	} else if (!decide && c->verbose) {
		fprintf(stderr, "popmuch: %zu sent\n", res.sent);
	}
	outbox_free(&ob);
	return err_exitcode(st);
}

int
cli_compose_main(int argc, char **argv)
{
	struct ccli c = {0};
	int i = find_cmd(argc, argv, &c), rc;

	if (i < 0)
		return -1;
	log_setup(c.quiet ? PM_LOG_ERROR : PM_LOG_WARN + c.verbose, 0, 0);
	c.to = g_ptr_array_new();
	c.cc = g_ptr_array_new();
	c.attach = g_ptr_array_new();
	if ((rc = parse_cmd_opts(argc - i, argv + i, &c)) < 0 &&
	    (rc = setup(&c)) < 0)
		rc = strcmp(c.cmd, "send") == 0 ? cmd_send(&c) : cmd_write(&c);
	g_ptr_array_unref(c.to);
	g_ptr_array_unref(c.cc);
	g_ptr_array_unref(c.attach);
	config_free(&c.cfg);
	free(c.root);
	return rc;
}

static const char *
state_text(enum outbox_state s)
{
	switch (s) {
	case OUTBOX_QUEUED:
		return "queued";
	case OUTBOX_MAYBE_SENT:
		return "MAYBE SENT (interrupted while sending; check, then "
		       "'popmuch send --retry' or '--mark-sent')";
	case OUTBOX_FAILED:
		return "FAILED ('popmuch send --retry' or '--delete')";
	case OUTBOX_SENT:
		return "sent, being filed";
	case OUTBOX_SENDING:
		return "being sent";
	}
	return "?";
}

int
cli_outbox_status(const struct config *cfg, FILE *f)
{
	const char *nmcfg =
	    cfg->naccounts ? cfg->accounts[0]->notmuch_config : NULL;
	struct outbox_entry *v = NULL;
	struct outbox *ob = NULL;
	struct pm_err err;
	char *root = NULL;
	size_t n = 0;

	if (index_mail_root(nmcfg, &root, &err) != PM_OK ||
	    outbox_open(root, nmcfg, &ob, &err) != PM_OK ||
	    outbox_list(ob, &v, &n, &err) != PM_OK) {
		free(root);
		outbox_free(&ob);
		log_msg(PM_LOG_ERROR, "outbox: %s", err.msg);
		return err_exitcode(err.code);
	}
	fprintf(f, "\noutbox:           %zu message(s)%s\n", n,
		n ? " ('popmuch send' sends the queued ones)" : "");
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "  %s\n    to %s, \"%s\"\n    %s\n", v[i].name,
			v[i].to, v[i].subject, state_text(v[i].state));
		if (v[i].reason[0])
			fprintf(f, "    last error: %s\n", v[i].reason);
	}
	outbox_entries_free(&v, n);
	outbox_free(&ob);
	free(root);
	return 0;
}
