/* status.c: per-account status from the state directory. */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "popmuch/account.h"
#include "popmuch/failing.h"
#include "popmuch/index.h"
#include "popmuch/lastrun.h"
#include "popmuch/quirks.h"
#include "popmuch/status.h"
#include "popmuch/uidl.h"
#include "popmuch/xmalloc.h"

/* The last run's record (lastrun.h); none leaves has_run 0. */
static enum pm_status
read_last_run(const char *dir, struct status_info *info, struct pm_err *err)
{
	struct lastrun lr;
	enum pm_status st = lastrun_read(dir, &lr, err);

	if (st == PM_UNAVAILABLE)
		return PM_OK;
	if (st != PM_OK)
		return st;
	info->has_run = 1;
	info->last_time = lr.time;
	(void)snprintf(info->last_status, sizeof(info->last_status), "%s",
		       lr.status);
	(void)snprintf(info->last_message, sizeof(info->last_message), "%s",
		       lr.message);
	info->on_server = lr.on_server;
	info->kept = lr.kept;
	info->fetched = lr.fetched;
	info->deleted = lr.deleted;
	return PM_OK;
}

struct tally {
	const struct account *acct;
	struct status_info *info;
	int64_t now;
};

static void
tally_entry(const struct uidl_entry *e, void *ctx)
{
	struct tally *t = ctx;
	int64_t due;

	t->info->journal_entries++;
	if (e->state == UIDL_DELIVERED && !e->indexed && !e->refused)
		t->info->index_pending++;
	t->info->not_mail += e->refused != 0;
	if (t->acct->keep != CFG_KEEP_DAYS || e->state != UIDL_DELIVERED)
		return;
	due = e->first_seen + t->acct->keep_seconds;
	if (due <= t->now)
		t->info->due_now++;
	else if (t->info->next_due == 0 || due < t->info->next_due)
		t->info->next_due = due;
}

static int64_t
count_dir(const char *md, const char *sub)
{
	char *path = xasprintf("%s/%s", md, sub);
	DIR *d = opendir(path);
	struct dirent *de;
	int64_t n = 0;

	free(path);
	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

/* The account's Maildir and how many messages it holds. */
static void
count_maildir(const struct account *acct, struct status_info *info)
{
	struct pm_err err;
	char *path = NULL;
	int64_t n, c;
	int len = -1;

	info->maildir_count = -1;
	if (account_maildir_path(acct, &path, &err) == PM_OK)
		len =
		    snprintf(info->maildir, sizeof(info->maildir), "%s", path);
	free(path);
	if (len < 0 || (size_t)len >= sizeof(info->maildir)) {
		info->maildir[0] = '\0';
		return;
	}
	n = count_dir(info->maildir, "new");
	c = count_dir(info->maildir, "cur");
	if (n >= 0 && c >= 0)
		info->maildir_count = n + c;
}

/* The OAuth2 token's state; a key ring that cannot be read is shown as
 * no token rather than failing the whole status. */
static void
collect_token(const struct account *acct, struct status_info *info, int64_t now)
{
	struct pm_err err;
	int64_t last;

	if (acct->oauth2_provider == NULL)
		return;
	info->oauth2 = 1;
	if (token_info(acct, &info->token, &err) != PM_OK)
		return;
	last = info->token.refresh_used > info->token.refresh_obtained
		   ? info->token.refresh_used
		   : info->token.refresh_obtained;
	if (info->token.present && last > 0 && now > last)
		info->token_idle_days = (int)((now - last) / 86400);
	info->token_warn = info->token.present &&
			   info->token_idle_days >= TOKEN_IDLE_WARN_DAYS;
}

enum pm_status
status_collect(const struct account *acct, struct status_info *info,
	       struct pm_err *err)
{
	struct uidl_db *db = NULL;
	struct tally t = {acct, info, (int64_t)time(NULL)};
	enum pm_status st;
	struct failing *failing;
	const char *why;
	char *dir, *mailbox, *np;

	memset(info, 0, sizeof(*info));
	if ((st = account_state_dir(acct->name, &dir, err)) != PM_OK)
		return st;
	if ((st = read_last_run(dir, info, err)) != PM_OK) {
		free(dir);
		return st;
	}
	count_maildir(acct, info);
	collect_token(acct, info, t.now);
	mailbox = account_mailbox_id(acct);
	st = uidl_open_readonly(dir, mailbox, &db, &info->running, err);
	free(mailbox);
	if (st == PM_OK) {
		uidl_foreach(db, tally_entry, &t);
		if (uidl_damaged(db, &why))
			(void)snprintf(info->damaged, sizeof(info->damaged),
				       "%s", why);
		uidl_free(&db);
	}
	failing = failing_load(dir);
	info->failing = failing_recorded(failing, &info->failing_since);
	failing_free(&failing);
	if (quirks_no_pipelining(dir, &np)) {
		(void)snprintf(info->no_pipelining, sizeof(info->no_pipelining),
			       "%s", np != NULL ? np : "yes");
		free(np);
	}
	free(dir);
	return st;
}
