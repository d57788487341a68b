/* config-mpop.c: the keywords with which an mpop user chose mpop's own
 * behaviour: "delivery" (maildir honoured; mda and mbox accepted with a
 * note on what popmuch does instead), "filter" (run as mpop runs it) and
 * "uidls_file" (kept: where mpop's record of downloaded UIDLs is).  Rows
 * in keywords[] (config-kw.c). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "popmuch/account.h"
#include "popmuch/config.h"
#include "popmuch/xmalloc.h"
#include "config-int.h"

/* The +tag and -tag words of a "notmuch insert" command line, as the
 * "tags" keyword would hold them; NULL when there are none.  Sets
 * *folder_r when the command names a --folder.  Caller frees. */
static char *
insert_tags(char *cmd, int *folder_r)
{
	char *out = xmalloc(strlen(cmd) + 1), *w, *save = NULL;
	size_t o = 0;

	*folder_r = 0;
	for (w = strtok_r(cmd, " \t", &save); w != NULL;
	     w = strtok_r(NULL, " \t", &save)) {
		config_unquote(w);
		if (strncmp(w, "--folder", 8) == 0)
			*folder_r = 1;
		if ((w[0] != '+' && w[0] != '-') || w[1] == '\0' || w[1] == '-')
			continue;
		if (o > 0)
			out[o++] = ' ';
		memcpy(out + o, w, strlen(w));
		o += strlen(w);
	}
	out[o] = '\0';
	if (o == 0) {
		free(out);
		return NULL;
	}
	return out;
}

/* The program a command runs: its first word without the directory. */
static const char *
command_name(const char *cmd, size_t *len_r)
{
	size_t n = strcspn(cmd, " \t");
	const char *base = cmd;
	size_t i;

	for (i = 0; i < n; i++)
		if (cmd[i] == '/')
			base = cmd + i + 1;
	*len_r = n - (size_t)(base - cmd);
	return base;
}

/* "delivery mda CMD": mpop piped each message into CMD.  popmuch
 * delivers into the account's Maildir and indexes it itself; the command
 * is kept (account->mda) and the note says what happens instead.  For
 * "notmuch insert", its +tag/-tag words become the account's tags. */
static enum pm_status
delivery_mda(struct parse *p, const struct keyword *kw, char *cmd)
{
	size_t n;
	const char *prog;
	char *copy, *tags;
	int folder;

	if (config_unquote(cmd) != 0)
		return config_perr(p, kw->name,
				   "write \\\" for a quote inside quotes",
				   "stray quote in the command");
	prog = command_name(cmd, &n);
	if (*cmd == '\0')
		return config_perr(p, kw->name, "delivery mda COMMAND",
				   "missing command");
	config_set_str(p, F_mda, cmd);
	config_set_str(p, F_maildir, NULL); /* the last delivery line wins */
	if (n == 7 && strncmp(prog, "notmuch", 7) == 0 &&
	    strstr(prog, " insert") != NULL) {
		copy = xstrdup(strstr(prog, " insert") + 7);
		tags = insert_tags(copy, &folder);
		if (tags != NULL && !(*p->cur_mask & BIT(F_tags)))
			config_set_str(p, F_tags, tags);
		config_note(p, kw->name,
			    "popmuch delivers and indexes each message itself, "
			    "as \"notmuch insert\" did%s%s%s; the Maildir is "
			    "<mail_root>/%s%s",
			    tags ? ", with tags " : "", tags ? tags : "",
			    tags ? " (as the tags keyword)" : "",
			    p->cur->name ? p->cur->name : "NAME",
			    folder ? ", not the --folder (write delivery "
				     "maildir DIR to choose it)"
				   : " unless delivery maildir DIR says");
		free(tags);
		free(copy);
		return PM_OK;
	}
	if ((n == 8 && strncmp(prog, "procmail", 8) == 0) ||
	    (n == 8 && strncmp(prog, "maildrop", 8) == 0)) {
		config_note(p, kw->name,
			    "popmuch does not run %.*s: it delivers every "
			    "message into the account's Maildir and indexes "
			    "it; sort with notmuch tags (the tags keyword, "
			    "\"notmuch tag\" in notmuch's post-new hook) "
			    "instead of recipes",
			    (int)n, prog);
		return PM_OK;
	}
	config_note(p, kw->name,
		    "popmuch does not pipe messages into \"%.100s\": it "
		    "delivers them into the account's Maildir and indexes "
		    "them",
		    cmd);
	return PM_OK;
}

enum pm_status
kw_delivery(struct parse *p, const struct keyword *kw, char *arg)
{
	static const char hint[] = "popmuch delivers only to a Maildir that "
				   "notmuch indexes; use delivery maildir DIR "
				   "or remove the line";
	size_t n = strcspn(arg, " \t");
	char *dir;

	if (*arg == '\0')
		return config_perr(p, kw->name, NULL, "missing argument");
	if (n == 3 && strncmp(arg, "mda", 3) == 0)
		return delivery_mda(p, kw, config_trim(arg + n));
	if (n == 4 && strncmp(arg, "mbox", 4) == 0) {
		/* mpop's own example delivers to an mbox file */
		config_set_str(p, F_maildir, NULL);
		config_set_str(p, F_mda, NULL);
		config_note(p, kw->name,
			    "popmuch delivers into a Maildir that notmuch "
			    "indexes, <mail_root>/%s, not into the mbox file "
			    "(which is left as it is); write delivery maildir "
			    "DIR to choose the Maildir",
			    p->cur->name ? p->cur->name : "NAME");
		return PM_OK;
	}
	if (n == 8 && strncmp(arg, "exchange", 8) == 0)
		return config_perr(p, kw->name, hint,
				   "method %.*s is not supported", (int)n, arg);
	if (n != 7 || strncmp(arg, "maildir", 7) != 0)
		return config_perr(p, kw->name, "delivery maildir DIR",
				   "invalid argument \"%.100s\"", arg);
	dir = config_trim(arg + n);
	if (config_unquote(dir) != 0)
		return config_perr(p, kw->name,
				   "write \\\" for a quote inside quotes",
				   "stray quote in the directory");
	if (*dir == '\0')
		return config_perr(p, kw->name, "delivery maildir DIR",
				   "missing directory");
	dir = account_expand_tilde(dir);
	config_set_str(p, F_mda, NULL);
	config_set_str(p, F_maildir, dir);
	free(dir);
	return PM_OK;
}

/* mpop's UIDL list: popmuch keeps its own journal, and reads this file
 * only to adopt what mpop already downloaded (adopt.h). */
enum pm_status
kw_uidls_file(struct parse *p, const struct keyword *kw, char *arg)
{
	char *path;

	if (*arg == '\0')
		return config_perr(p, kw->name, NULL, "missing argument");
	path = account_expand_tilde(arg);
	config_set_str(p, F_uidls_file, path);
	free(path);
	return PM_OK;
}

/* mpop's header filter, run as mpop runs it before each download
 * (filter.h, plan.c); an empty argument unsets it, as in mpop. */
enum pm_status
kw_filter(struct parse *p, const struct keyword *kw, char *arg)
{
	(void)kw;
	config_set_str(p, F_filter, *arg != '\0' ? arg : NULL);
	return PM_OK;
}
