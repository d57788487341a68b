/* outbox.c: the durable outbox and its sending state machine (see
 * outbox.h).
 *
 * Order of operations for one message (each step durable before the
 * next; FAULT points between them for the crash tests):
 *   1. outbox/new/NAME written and synced        (outbox_queue)
 *   2. state "sending" written                   -> maybe sent from here
 *   3. the sendmail command runs with NAME on stdin
 *   4. state "sent" (or "queued"/"failed" with the reason)
 *   5. NAME renamed to sent/cur/NAME:2,S, both directories synced
 *   6. the sent copy indexed, the original tagged replied
 *   7. the state file removed
 * A crash between 2 and 4 leaves "sending": shown as maybe sent, never
 * resent by itself.  After 4 recovery redoes 5-7, which are idempotent. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gmime/gmime.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "popmuch/fault.h"
#include "popmuch/account.h"
#include "popmuch/fsutil.h"
#include "popmuch/identity.h"
#include "popmuch/log.h"
#include "popmuch/maildir.h"
#include "popmuch/nmstore.h"
#include "popmuch/outbox.h"
#include "popmuch/xmalloc.h"
#include "compose-int.h"

/* When no sendmail_command is set: msmtp when installed, else the
 * system's sendmail. */
#define DEFAULT_SENDMAIL                                                       \
	"if command -v msmtp >/dev/null 2>&1; then "                           \
	"exec msmtp -t --read-envelope-from; "                                 \
	"else exec /usr/sbin/sendmail -t -oi; fi"

struct outbox {
	struct maildir *out;
	char *out_dir, *sent_dir, *state_dir;
	char *notmuch_config;
	int lockfd;
	GPtrArray *filed; /* names moved to sent/ by this run, to index */
};

static int locked_by_other(struct outbox *ob);

static const char *const state_names[] = {"queued", "sending", "failed",
					  "sent"};

enum pm_status
outbox_open(const char *mail_root, const char *notmuch_config,
	    struct outbox **ob_r, struct pm_err *err)
{
	struct outbox *ob = xcalloc(1, sizeof(*ob));
	struct maildir *sent = NULL;
	enum pm_status st;

	ob->lockfd = -1;
	ob->filed = g_ptr_array_new_with_free_func(g_free);
	ob->out_dir = xasprintf("%s/outbox", mail_root);
	ob->sent_dir = xasprintf("%s/sent", mail_root);
	ob->notmuch_config = notmuch_config ? xstrdup(notmuch_config) : NULL;
	/* ".outbox": no account name starts with a dot */
	if ((st = account_state_dir(".outbox", &ob->state_dir, err)) != PM_OK ||
	    (st = maildir_open(ob->out_dir, &ob->out, err)) != PM_OK ||
	    (st = maildir_open(ob->sent_dir, &sent, err)) != PM_OK ||
	    (st = fsutil_mkdirs(ob->state_dir, err)) != PM_OK) {
		outbox_free(&ob);
		return st;
	}
	maildir_free(&sent);
	*ob_r = ob;
	return PM_OK;
}

void
outbox_free(struct outbox **ob)
{
	if (*ob == NULL)
		return;
	maildir_free(&(*ob)->out);
	if ((*ob)->lockfd >= 0)
		close((*ob)->lockfd);
	free((*ob)->out_dir);
	free((*ob)->sent_dir);
	free((*ob)->state_dir);
	free((*ob)->notmuch_config);
	g_ptr_array_unref((*ob)->filed);
	free(*ob);
	*ob = NULL;
}

enum pm_status
outbox_queue(struct outbox *ob, const char *data, size_t len, char **name_r,
	     struct pm_err *err)
{
	struct maildir_tmp *t = NULL;
	enum pm_status st;
	char *name;

	if ((st = maildir_tmp_new(ob->out, &t, err)) != PM_OK)
		return st;
	if ((st = maildir_tmp_write(t, data, len, err)) != PM_OK ||
	    (st = maildir_tmp_sync(t, err)) != PM_OK) {
		maildir_tmp_abort(&t);
		return st;
	}
	name = xstrdup(maildir_tmp_name(t));
	FAULT("outbox-queue-synced");
	if ((st = maildir_tmp_commit(&t, err)) != PM_OK) {
		free(name);
		return st;
	}
	if (name_r != NULL)
		*name_r = name;
	else
		free(name);
	return PM_OK;
}

/* ---- state files ------------------------------------------------------- */

static char *
state_path(const struct outbox *ob, const char *name)
{
	return xasprintf("%s/%s.state", ob->state_dir, name);
}

/* "STATE TIME REASON\n"; no file is "queued". */
static enum outbox_state
state_read(const struct outbox *ob, const char *name, int64_t *when_r,
	   char **reason_r)
{
	char *path = state_path(ob, name), buf[1024], word[16];
	FILE *f = fopen(path, "r");
	enum outbox_state s = OUTBOX_QUEUED;
	long long when = 0;
	int off = 0;

	free(path);
	*when_r = 0;
	*reason_r = xstrdup("");
	if (f == NULL)
		return s;
	if (fgets(buf, sizeof(buf), f) != NULL &&
	    sscanf(buf, "%15s %lld %n", word, &when, &off) >= 2) {
		for (int i = 0; i < 4; i++)
			if (strcmp(word, state_names[i]) == 0)
				s = (enum outbox_state)i;
		buf[strcspn(buf, "\n")] = '\0';
		free(*reason_r);
		*reason_r = xstrdup(off > 0 ? buf + off : "");
		*when_r = when;
	}
	fclose(f);
	return s;
}

/* Replace the state file atomically and durably. */
static enum pm_status
state_write(const struct outbox *ob, const char *name, enum outbox_state s,
	    const char *reason, struct pm_err *err)
{
	char *path = state_path(ob, name);
	char *line = xasprintf("%s %lld %s\n", state_names[s],
			       (long long)time(NULL), reason ? reason : "");
	enum pm_status st = fsutil_write_atomic(path, line, strlen(line), err);

	free(line);
	free(path);
	return st;
}

static void
state_remove(const struct outbox *ob, const char *name)
{
	char *path = state_path(ob, name);

	unlink(path);
	(void)fsutil_fsync_dir(ob->state_dir);
	free(path);
}

/* ---- listing ----------------------------------------------------------- */

static int
by_name(const void *a, const void *b)
{
	return strcmp(((const struct outbox_entry *)a)->name,
		      ((const struct outbox_entry *)b)->name);
}

/* Subject and To of a queued file, for display. */
static void
peek(struct outbox_entry *e)
{
	GMimeMessage *m = compose_parse_file(e->path, NULL);
	InternetAddressList *to;

	e->subject = xstrdup(m && g_mime_message_get_subject(m)
				 ? g_mime_message_get_subject(m)
				 : "");
	to = m ? g_mime_message_get_all_recipients(m) : NULL;
	if (to != NULL) {
		char *s = internet_address_list_to_string(to, NULL, FALSE);

		e->to = xstrdup(s ? s : "");
		g_free(s);
		g_object_unref(to);
	} else {
		e->to = xstrdup("");
	}
	if (m != NULL)
		g_object_unref(m);
}

/* Files in outbox/new/, and states naming files already in sent/. */
static void
collect(struct outbox *ob, struct outbox_entry **v, size_t *n)
{
	char *dir = xasprintf("%s/new", ob->out_dir);
	DIR *d = opendir(dir);
	struct dirent *de;

	while (d != NULL && (de = readdir(d)) != NULL) {
		struct outbox_entry *e;

		if (de->d_name[0] == '.')
			continue;
		*v = xreallocarray(*v, *n + 1, sizeof(**v));
		e = &(*v)[(*n)++];
		memset(e, 0, sizeof(*e));
		e->name = xstrdup(de->d_name);
		e->path = xasprintf("%s/%s", dir, de->d_name);
		/* under the lock, "sending" is a crash's: maybe sent */
		e->state = state_read(ob, e->name, &e->when, &e->reason);
		peek(e);
	}
	if (d != NULL)
		closedir(d);
	free(dir);
}

/* States "sent" whose file already moved to sent/ (a crash between
 * filing and indexing). */
static void
collect_filed(struct outbox *ob, struct outbox_entry **v, size_t *n)
{
	DIR *d = opendir(ob->state_dir);
	struct dirent *de;

	while (d != NULL && (de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		struct outbox_entry *e;
		char *name;
		int64_t when;
		char *reason;
		size_t i;

		if (len < 7 || strcmp(de->d_name + len - 6, ".state") != 0)
			continue;
		name = xstrndup(de->d_name, len - 6);
		for (i = 0; i < *n && strcmp((*v)[i].name, name) != 0; i++)
			;
		if (i < *n ||
		    state_read(ob, name, &when, &reason) != OUTBOX_SENT) {
			free(name);
			if (i == *n)
				free(reason);
			continue;
		}
		*v = xreallocarray(*v, *n + 1, sizeof(**v));
		e = &(*v)[(*n)++];
		memset(e, 0, sizeof(*e));
		e->name = name;
		e->path = xasprintf("%s/cur/%s:2,S", ob->sent_dir, name);
		e->state = OUTBOX_SENT;
		e->when = when;
		e->reason = reason;
		peek(e);
	}
	if (d != NULL)
		closedir(d);
}

enum pm_status
outbox_list(struct outbox *ob, struct outbox_entry **v_r, size_t *n_r,
	    struct pm_err *err)
{
	struct outbox_entry *v = NULL;
	size_t n = 0;
	int busy;

	g_mime_init();
	busy = locked_by_other(ob);
	collect(ob, &v, &n);
	collect_filed(ob, &v, &n);
	for (size_t i = 0; busy && i < n; i++)
		if (v[i].state == OUTBOX_MAYBE_SENT)
			v[i].state = OUTBOX_SENDING; /* a sender runs now */
	(void)err;
	if (n > 1)
		qsort(v, n, sizeof(*v), by_name);
	*v_r = v;
	*n_r = n;
	return PM_OK;
}

void
outbox_entries_free(struct outbox_entry **v, size_t n)
{
	if (*v == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		free((*v)[i].name);
		free((*v)[i].path);
		free((*v)[i].reason);
		free((*v)[i].subject);
		free((*v)[i].to);
	}
	free(*v);
	*v = NULL;
}

/* ---- sending ----------------------------------------------------------- */

static int
lock_fd(struct outbox *ob, struct pm_err *err)
{
	char *path = xasprintf("%s/lock", ob->state_dir);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	free(path);
	if (fd < 0)
		err_set(err, PM_IOERR, "%s/lock: %s", ob->state_dir,
			strerror(errno));
	return fd;
}

/* An open file description lock (F_OFD_SETLK): held by one sender;
 * listing only tests it (F_OFD_GETLK), so "popmuch status" and the TUI
 * never make a sender fail. */
static enum pm_status
lock(struct outbox *ob, struct pm_err *err)
{
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};

	if ((ob->lockfd = lock_fd(ob, err)) < 0)
		return PM_IOERR;
	if (fcntl(ob->lockfd, F_OFD_SETLK, &fl) != 0) {
		close(ob->lockfd);
		ob->lockfd = -1;
		return err_set(err, PM_LOCKED,
			       "another popmuch is sending the outbox");
	}
	return PM_OK;
}

/* True when a sender holds the lock now. */
static int
locked_by_other(struct outbox *ob)
{
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
	struct pm_err err;
	int fd = lock_fd(ob, &err), busy;

	if (fd < 0)
		return 0;
	busy = fcntl(fd, F_OFD_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
	close(fd);
	return busy;
}

static void
unlock(struct outbox *ob)
{
	if (ob->lockfd >= 0)
		close(ob->lockfd); /* releases the lock */
	ob->lockfd = -1;
}

/* Read the command's output into buf until it closes it or the deadline
 * passes (then the command, in a process group of its own, is killed). */
static size_t
drain(int fd, pid_t pid, time_t deadline, char *buf, size_t size)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	size_t len = 0;
	ssize_t r;
	int left;

	while ((left = (int)(deadline - time(NULL))) > 0) {
		if (poll(&pfd, 1, left * 1000) == 0)
			break;
		r = read(fd, buf + len, size - 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return len;
		if ((len += (size_t)r) == size - 1)
			len = size / 2; /* keep reading, keep a head */
	}
	kill(-pid, SIGKILL);
	return len;
}

/* Run cmd with the file at path on stdin, for at most limit seconds;
 * its output (escaped, one line) in out.  Returns the wait status, or
 * -1 when it did not run. */
static int
run_command(const char *cmd, const char *path, int limit, char *out,
	    size_t outsz)
{
	int in = open(path, O_RDONLY | O_CLOEXEC), p[2], status;
	char buf[1024];
	size_t len = 0;
	pid_t pid;
	char *esc;

	if (in < 0 || pipe(p) != 0) {
		if (in >= 0)
			close(in);
		return -1;
	}
	fflush(NULL);
	if ((pid = fork()) == 0) {
		setpgid(0, 0);
		dup2(in, 0);
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(in);
	close(p[1]);
	if (pid > 0)
		len = drain(p[0], pid, time(NULL) + limit, buf, sizeof(buf));
	close(p[0]);
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		len--;
	for (size_t i = 0; i < len; i++)
		if (buf[i] == '\n')
			buf[i] = ' ';
	esc = log_escape(buf, len, 300);
	(void)snprintf(out, outsz, "%s", esc);
	free(esc);
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	return status;
}

/* The account of the message at path: its From's. */
static const struct account *
account_for(const struct config *cfg, const struct identities *ids,
	    const char *path)
{
	GMimeMessage *m = compose_parse_file(path, NULL);
	const struct account *a;
	const char *addr = NULL;
	InternetAddressList *from;

	from = m ? g_mime_message_get_from(m) : NULL;
	if (from && internet_address_list_length(from) > 0 &&
	    INTERNET_ADDRESS_IS_MAILBOX(
		internet_address_list_get_address(from, 0)))
		addr =
		    internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(
			internet_address_list_get_address(from, 0)));
	a = identity_account(cfg, ids ? identities_find(ids, addr) : NULL);
	if (m != NULL)
		g_object_unref(m);
	return a;
}

static char *
in_reply_to(const char *path)
{
	GMimeMessage *m = compose_parse_file(path, NULL);
	const char *irt;
	char *id = NULL, *dec;

	irt =
	    m ? g_mime_object_get_header(GMIME_OBJECT(m), "In-Reply-To") : NULL;
	if (irt != NULL && (dec = g_mime_utils_decode_message_id(irt))) {
		id = xstrdup(dec);
		g_free(dec);
	}
	if (m != NULL)
		g_object_unref(m);
	return id;
}

/* Step 5 for an accepted message: into sent/ (done again after a crash
 * is harmless); indexing waits for index_filed(). */
static enum pm_status
file_move(struct outbox *ob, const char *name, struct pm_err *err)
{
	char *from = xasprintf("%s/new/%s", ob->out_dir, name);
	char *to = xasprintf("%s/cur/%s:2,S", ob->sent_dir, name);
	enum pm_status st = PM_OK;

	if (access(from, F_OK) == 0) {
		if (rename(from, to) != 0 || fsutil_fsync_parent(to) != 0 ||
		    fsutil_fsync_parent(from) != 0)
			st = err_set(err, PM_IOERR, "cannot move %s to %s: %s",
				     from, to, strerror(errno));
		FAULT("outbox-filed");
	}
	if (st == PM_OK)
		g_ptr_array_add(ob->filed, g_strdup(name));
	free(from);
	free(to);
	return st;
}

/* Steps 6-7 for every message filed by this run, in one notmuch
 * transaction (a database open per message was most of the time of
 * sending a queue). */
static enum pm_status
index_filed(struct outbox *ob, int timeout, struct pm_err *err)
{
	GPtrArray *paths = g_ptr_array_new_with_free_func(free);
	GPtrArray *irts = g_ptr_array_new_with_free_func(free);
	enum pm_status st = PM_OK;
	guint i;

	for (i = 0; i < ob->filed->len; i++) {
		char *to = xasprintf("%s/cur/%s:2,S", ob->sent_dir,
				     (char *)g_ptr_array_index(ob->filed, i));

		g_ptr_array_add(irts, in_reply_to(to));
		g_ptr_array_add(paths, to);
	}
	if (paths->len > 0)
		st = nmstore_record_sent(
		    ob->notmuch_config, (const char *const *)paths->pdata,
		    (const char *const *)irts->pdata, paths->len, timeout, err);
	if (st == PM_OK) {
		FAULT("outbox-indexed");
		for (i = 0; i < ob->filed->len; i++)
			state_remove(ob, g_ptr_array_index(ob->filed, i));
	}
	g_ptr_array_set_size(ob->filed, 0);
	g_ptr_array_unref(paths);
	g_ptr_array_unref(irts);
	return st;
}

static void
note(struct outbox_result *res, const char *name, const char *what)
{
	size_t len = strlen(res->report);

	(void)snprintf(res->report + len, sizeof(res->report) - len, "%s: %s\n",
		       name, what);
}

/* Steps 2-4, then 5-7, for one queued message. */
static enum pm_status
send_one(struct outbox *ob, const struct account *a,
	 const struct outbox_entry *e, int timeout, struct outbox_result *res,
	 struct pm_err *err)
{
	char out[400], why[512];
	enum pm_status st;
	int ws, code;

	FAULT("outbox-before-mark");
	if ((st = state_write(ob, e->name, OUTBOX_MAYBE_SENT, "", err)) !=
	    PM_OK)
		return st;
	FAULT("outbox-marked");
	/* a command that hangs (msmtp has no timeout by default) is cut
	 * off after 10 x the account's timeout: then it may have sent */
	ws = run_command(a && a->sendmail_command ? a->sendmail_command
						  : DEFAULT_SENDMAIL,
			 e->path, 10 * (a && a->timeout > 0 ? a->timeout : 180),
			 out, sizeof(out));
	FAULT("outbox-command-done");
	code = ws >= 0 && WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
	if (code == 0) {
		if ((st = state_write(ob, e->name, OUTBOX_SENT, "", err)) !=
		    PM_OK)
			return st;
		FAULT("outbox-accepted");
		res->sent++;
		return file_move(ob, e->name, err);
	}
	if (ws >= 0 && !WIFEXITED(ws)) {
		/* killed: it may have handed the message over */
		res->maybe_sent++;
		note(res, e->name,
		     "the sendmail command was killed (or ran "
		     "too long); maybe sent");
		return PM_OK;
	}
	(void)snprintf(why, sizeof(why), "%s exited %d%s%s",
		       code == 127 || code < 0 ? "the sendmail command could "
						 "not run:"
					       : "the sendmail command",
		       code, out[0] ? ": " : "", out);
	/* 75 EX_TEMPFAIL (msmtp: no connection), 68 EX_NOHOST (offline
	 * DNS), 126/127 (not installed): not sent; stays queued. */
	if (code == 75 || code == 68 || code == 126 || code == 127 ||
	    code < 0) {
		res->queued++;
		note(res, e->name, why);
		return state_write(ob, e->name, OUTBOX_QUEUED, why, err);
	}
	res->failed++;
	note(res, e->name, why);
	return state_write(ob, e->name, OUTBOX_FAILED, why, err);
}

static enum pm_status
send_all(struct outbox *ob, const struct config *cfg,
	 const struct identities *ids, const char *name, int timeout,
	 struct outbox_result *res, struct pm_err *err)
{
	struct outbox_entry *v = NULL;
	size_t n = 0;
	enum pm_status st = PM_OK, ist;
	struct pm_err ierr;

	collect(ob, &v, &n);
	collect_filed(ob, &v, &n);
	for (size_t i = 0; i < n && st == PM_OK; i++) {
		struct outbox_entry *e = &v[i];

		if (name != NULL && strcmp(name, e->name) != 0)
			continue;
		if (e->state == OUTBOX_SENT) {
			/* a crash after acceptance: finish filing */
			st = file_move(ob, e->name, err);
			res->sent++;
		} else if (e->state == OUTBOX_FAILED) {
			res->failed++;
		} else if (e->state == OUTBOX_MAYBE_SENT) {
			res->maybe_sent++;
		} else {
			st = send_one(ob, account_for(cfg, ids, e->path), e,
				      timeout, res, err);
		}
	}
	outbox_entries_free(&v, n);
	if (ob->filed->len > 0 &&
	    (ist = index_filed(ob, timeout, &ierr)) != PM_OK) {
		note(res, "the sent copies", ierr.msg);
		if (st == PM_OK && ist != PM_TEMPFAIL) {
			*err = ierr;
			st = ist;
		}
	}
	return st;
}

enum pm_status
outbox_send(struct outbox *ob, const struct config *cfg, const char *name,
	    int index_timeout, struct outbox_result *res, struct pm_err *err)
{
	struct identities *ids = NULL;
	struct pm_err ierr;
	enum pm_status st;

	memset(res, 0, sizeof(*res));
	g_mime_init();
	if ((st = lock(ob, err)) != PM_OK)
		return st;
	/* without identities every message goes by the first account */
	(void)identities_load(cfg, ob->notmuch_config, &ids, &ierr);
	st = send_all(ob, cfg, ids, name, index_timeout, res, err);
	unlock(ob);
	identities_free(&ids);
	if (st != PM_OK)
		return st;
	if (res->failed || res->maybe_sent)
		return err_set(err, PM_UNAVAILABLE,
			       "%zu failed, %zu maybe sent (see popmuch "
			       "status)",
			       res->failed, res->maybe_sent);
	if (res->queued)
		return err_set(err, PM_TEMPFAIL, "%zu message(s) stay queued",
			       res->queued);
	return PM_OK;
}

/* ---- the person's decisions -------------------------------------------- */

static enum pm_status
find(struct outbox *ob, const char *name, char **path_r, struct pm_err *err)
{
	if (strchr(name, '/') != NULL || name[0] == '.' || name[0] == '\0')
		return err_set(err, PM_USAGE, "'%s' is not an outbox name",
			       name);
	*path_r = xasprintf("%s/new/%s", ob->out_dir, name);
	if (access(*path_r, F_OK) == 0)
		return PM_OK;
	free(*path_r);
	*path_r = NULL;
	return err_set(err, PM_USAGE,
		       "no message '%s' in the outbox (see "
		       "popmuch status)",
		       name);
}

enum pm_status
outbox_retry(struct outbox *ob, const char *name, struct pm_err *err)
{
	char *path = NULL;
	enum pm_status st;

	if ((st = lock(ob, err)) != PM_OK)
		return st;
	if ((st = find(ob, name, &path, err)) == PM_OK)
		st = state_write(ob, name, OUTBOX_QUEUED, "retried", err);
	free(path);
	unlock(ob);
	return st;
}

enum pm_status
outbox_forget(struct outbox *ob, const char *name, int sent, struct pm_err *err)
{
	char *path = NULL;
	enum pm_status st;

	if ((st = lock(ob, err)) != PM_OK)
		return st;
	if ((st = find(ob, name, &path, err)) == PM_OK && sent) {
		if ((st = state_write(ob, name, OUTBOX_SENT, "", err)) ==
			PM_OK &&
		    (st = file_move(ob, name, err)) == PM_OK)
			st = index_filed(ob, 60, err);
	} else if (st == PM_OK) {
		if (unlink(path) != 0 || fsutil_fsync_parent(path) != 0)
			st = err_set(err, PM_IOERR, "%s: %s", path,
				     strerror(errno));
		else
			state_remove(ob, name);
	}
	free(path);
	unlock(ob);
	return st;
}
