/* status.c: per-account status from the state directory. */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "popmuch/fetch.h"
#include "popmuch/index.h"
#include "popmuch/status.h"
#include "popmuch/uidl.h"
#include "popmuch/xmalloc.h"

static void
read_last_run(const char *dir, struct status_info *info)
{
	char *path = xasprintf("%s/last-run", dir);
	FILE *f = fopen(path, "r");
	char line[600], *sp;

	free(path);
	if (f == NULL)
		return;
	info->has_run = 1;
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if ((sp = strchr(line, ' ')) == NULL)
			continue;
		*sp++ = '\0';
		if (strcmp(line, "time") == 0)
			info->last_time = strtoll(sp, NULL, 10);
		else if (strcmp(line, "status") == 0)
			(void)snprintf(info->last_status,
				       sizeof(info->last_status), "%s", sp);
		else if (strcmp(line, "message") == 0)
			(void)snprintf(info->last_message,
				       sizeof(info->last_message), "%s", sp);
		else if (strcmp(line, "on_server") == 0)
			info->on_server = (uint32_t)strtoul(sp, NULL, 10);
		else if (strcmp(line, "kept") == 0)
			info->kept = (uint32_t)strtoul(sp, NULL, 10);
		else if (strcmp(line, "fetched") == 0)
			info->fetched = (uint32_t)strtoul(sp, NULL, 10);
		else if (strcmp(line, "deleted") == 0)
			info->deleted = (uint32_t)strtoul(sp, NULL, 10);
	}
	fclose(f);
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
	if (e->state == UIDL_DELIVERED && !e->indexed)
		t->info->index_pending++;
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
	char *root = NULL;
	int64_t n, c;
	int len;

	info->maildir_count = -1;
	if (acct->maildir != NULL)
		len = snprintf(info->maildir, sizeof(info->maildir), "%s",
			       acct->maildir);
	else if (index_mail_root(acct->notmuch_config, &root, &err) == PM_OK)
		len = snprintf(info->maildir, sizeof(info->maildir), "%s/%s",
			       root, acct->name);
	else
		len = -1;
	free(root);
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
collect_token(const struct account *acct, struct status_info *info,
	      int64_t now)
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
	char *dir = fetch_state_dir(acct->name);
	struct uidl_db *db = NULL;
	struct tally t = {acct, info, (int64_t)time(NULL)};
	enum pm_status st;

	memset(info, 0, sizeof(*info));
	read_last_run(dir, info);
	count_maildir(acct, info);
	collect_token(acct, info, t.now);
	st = uidl_open_readonly(dir, &db, &info->running, err);
	if (st == PM_OK) {
		uidl_foreach(db, tally_entry, &t);
		uidl_free(&db);
	}
	free(dir);
	return st;
}
