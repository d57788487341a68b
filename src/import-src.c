/* import-src.c: the sources of 'popmuch import': mbox files, Maildir
 * and Maildir++ folders, MH folders, PST/OST files (through readpst),
 * and folder trees holding any of them (mutt's ~/Mail, Thunderbird's
 * profile folders with their .sbd subfolders).
 *
 * Directories are read with readdir() as they come: memory does not
 * grow with a folder's size.  A source that cannot be read is reported
 * (naming it) and counted, and the run goes on with the next. */
#define _GNU_SOURCE 1 /* strptime, timegm */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "import-int.h"
#include "popmuch/mbox.h"
#include "popmuch/msgscan.h"
#include "popmuch/xmalloc.h"

#define SRC_BUF (64 * 1024)
#define MH_SEQ_MAX (1024 * 1024)

static const char *const exts[] = {".mbox", ".mbx", ".sbd", ".pst", ".ost"};

char *
import_tag_join(const char *parent, const char *name)
{
	size_t len = strlen(name);
	char *n, *t;

	if (name[0] == '.' && name[1] != '\0') /* Maildir++ ".a.b" */
		n = xstrdup(name + 1);
	else
		n = xstrdup(name);
	if (name[0] == '.')
		for (char *p = n; *p; p++)
			if (*p == '.')
				*p = '/';
	len = strlen(n);
	for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		size_t el = strlen(exts[i]);

		if (len > el && strcasecmp(n + len - el, exts[i]) == 0) {
			n[len - el] = '\0';
			break;
		}
	}
	t = parent[0] ? xasprintf("%s/%s", parent, n) : xstrdup(n);
	free(n);
	return t;
}

/* "path: what: strerror(e)", reported and counted. */
static void
report(struct importer *im, const char *path, const char *what, int e)
{
	struct pm_err er;

	err_set(&er, PM_IOERR, "%s: %s%s%s", path, what, what[0] ? ": " : "",
		strerror(e));
	import_report(im, &er);
}

/* One message in a file of its own (Maildir, MH, readpst -M). */
static enum pm_status
import_file_msg(struct importer *im, const char *path,
		const struct import_src *src, struct pm_err *err)
{
	char *buf = xmalloc(SRC_BUF);
	enum pm_status st = PM_OK;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), e = 0;
	ssize_t n = 0;

	if (fd < 0)
		e = errno;
	while (fd >= 0 && st == PM_OK &&
	       ((n = read(fd, buf, SRC_BUF)) > 0 || (n < 0 && errno == EINTR)))
		if (n > 0)
			st = import_msg_data(im, buf, (size_t)n, err);
	if (fd >= 0 && n < 0)
		e = errno;
	if (fd >= 0)
		close(fd);
	free(buf);
	if (st == PM_OK && e == 0)
		return import_msg_end(im, src, err);
	import_msg_abort(im);
	if (e != 0) {
		report(im, path, "cannot read", e);
		return PM_OK;
	}
	return st;
}

/* "user@host Mon Jan  1 10:00:00 2001" -> a time, or 0. */
static time_t
envelope_date(const char *env)
{
	const char *p = strchr(env, ' ');
	struct tm tm;

	if (p == NULL)
		return 0;
	while (*p == ' ')
		p++;
	memset(&tm, 0, sizeof(tm));
	if (strptime(p, "%a %b %d %H:%M:%S %Y", &tm) == NULL)
		return 0;
	return timegm(&tm);
}

struct mbox_ctx {
	struct importer *im;
	int fatal;
};

static enum pm_status
mbox_sink(void *ctx, const char *buf, size_t len, struct pm_err *err)
{
	struct mbox_ctx *c = ctx;
	enum pm_status st = import_msg_data(c->im, buf, len, err);

	c->fatal = st != PM_OK;
	return st;
}

static enum pm_status
import_mbox(struct importer *im, const char *path, const char *tag,
	    struct pm_err *err)
{
	struct import_src src = {
	    .path = path, .folder = tag, .header_flags = 1};
	struct mbox_ctx c = {im, 0};
	struct mbox *mb = NULL;
	struct pm_err e;
	enum pm_status st = mbox_open(path, &mb, &e);
	int more = 1;

	if (st != PM_OK) {
		import_report(im, &e);
		return PM_OK;
	}
	while (st == PM_OK && more) {
		src.date = envelope_date(mbox_envelope(mb)); /* this one's */
		if ((st = mbox_next(mb, mbox_sink, &c, &more, &e)) != PM_OK) {
			import_msg_abort(im);
			if (c.fatal) /* the target failed, not the mbox */
				st = err_set(err, st, "%s", e.msg);
			else /* truncated or unreadable: the rest is kept */
				import_report(im, &e), st = PM_OK;
			break;
		}
		if (more)
			st = import_msg_end(im, &src, err);
		import_progress(im, path, mbox_bytes_read(mb));
	}
	import_source_done(im, mbox_size(mb));
	mbox_free(&mb);
	return st;
}

static int
is_dir_at(const char *dir, const char *sub)
{
	char *p = xasprintf("%s/%s", dir, sub);
	struct stat st;
	int yes = stat(p, &st) == 0 && S_ISDIR(st.st_mode);

	free(p);
	return yes;
}

static int
all_digits(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* Flags in a Maildir name "<unique>:2,<flags>" (also ';' and '!'). */
static unsigned
name_flags(const char *name)
{
	const char *info = strstr(name, ":2,");

	if (info == NULL)
		info = strstr(name, ";2,");
	if (info == NULL)
		info = strstr(name, "!2,");
	return info ? msgscan_parse_letters(info + 3) : 0;
}

/* Which files of a folder are messages, and their flags: -1 to skip. */
typedef long (*msg_flags_fn)(const char *name, void *ctx);

/* Every regular file of dir that flags() accepts, one message each. */
static enum pm_status
import_msg_files(struct importer *im, const char *dir, const char *tag,
		 msg_flags_fn flags, void *ctx, struct pm_err *err)
{
	enum pm_status st = PM_OK;
	struct dirent *de;
	struct stat sb;
	DIR *d = opendir(dir);
	char *path;

	if (d == NULL) {
		report(im, dir, "cannot read the folder", errno);
		return PM_OK;
	}
	while (st == PM_OK && (de = readdir(d)) != NULL) {
		struct import_src src = {.folder = tag};
		long f = flags(de->d_name, ctx);

		if (f < 0)
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		if (lstat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
			src.path = path;
			src.date = sb.st_mtime;
			src.flags = (unsigned)f;
			st = import_file_msg(im, path, &src, err);
			import_source_done(im, (uint64_t)sb.st_size);
			import_progress(im, dir, 0);
		}
		free(path);
	}
	closedir(d);
	return st;
}

/* Maildir new/: no flags yet; cur/: those in the name. */
static long
maildir_new_flags(const char *name, void *ctx)
{
	(void)ctx;
	return name[0] == '.' ? -1 : 0;
}

static long
maildir_cur_flags(const char *name, void *ctx)
{
	(void)ctx;
	return name[0] == '.' ? -1 : (long)name_flags(name);
}

static enum pm_status
import_maildir_sub(struct importer *im, const char *md, const char *sub,
		   const char *tag, struct pm_err *err)
{
	char *dir = xasprintf("%s/%s", md, sub);
	enum pm_status st = import_msg_files(
	    im, dir, tag,
	    strcmp(sub, "cur") == 0 ? maildir_cur_flags : maildir_new_flags,
	    NULL, err);

	free(dir);
	return st;
}

/* .mh_sequences: is message n in sequence name? */
static int
mh_in_seq(const char *seqs, const char *name, unsigned long n)
{
	size_t len = strlen(name);
	const char *p = seqs;

	while (p != NULL && *p) {
		if (strncmp(p, name, len) == 0 && p[len] == ':') {
			for (p += len + 1; *p && *p != '\n';) {
				char *end;
				unsigned long a = strtoul(p, &end, 10), b = a;

				if (end == p) {
					p++;
					continue;
				}
				if (*end == '-')
					b = strtoul(end + 1, &end, 10);
				if (n >= a && n <= b)
					return 1;
				p = end;
			}
		}
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	return 0;
}

static char *
read_small(const char *path)
{
	char *buf = NULL;
	FILE *f = fopen(path, "re");
	size_t n;

	if (f == NULL)
		return xstrdup("");
	buf = xmalloc(MH_SEQ_MAX + 1);
	n = fread(buf, 1, MH_SEQ_MAX, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* MH: messages are named by number; read unless in "unseen". */
static long
mh_flags(const char *name, void *ctx)
{
	const char *seqs = ctx;
	unsigned long n = strtoul(name, NULL, 10);

	if (!all_digits(name))
		return -1;
	return (mh_in_seq(seqs, "unseen", n) ? 0 : MSGSCAN_SEEN) |
	       (mh_in_seq(seqs, "flagged", n) ? MSGSCAN_FLAGGED : 0) |
	       (mh_in_seq(seqs, "replied", n) ? MSGSCAN_REPLIED : 0);
}

static enum pm_status
import_mh(struct importer *im, const char *dir, const char *tag,
	  struct pm_err *err)
{
	char *seqpath = xasprintf("%s/.mh_sequences", dir);
	char *seqs = read_small(seqpath);
	enum pm_status st = import_msg_files(im, dir, tag, mh_flags, seqs, err);

	free(seqpath);
	free(seqs);
	return st;
}

/* An MH folder: .mh_sequences, or message files named by number. */
static int
is_mh(const char *dir)
{
	char *p = xasprintf("%s/.mh_sequences", dir);
	int yes = access(p, F_OK) == 0;
	struct dirent *de;
	DIR *d;

	free(p);
	if (yes || (d = opendir(dir)) == NULL)
		return yes;
	while (!yes && (de = readdir(d)) != NULL)
		yes = all_digits(de->d_name);
	closedir(d);
	return yes;
}

static enum pm_status import_children(struct importer *im, const char *dir,
				      const char *tag, int maildir,
				      struct pm_err *err);

/* A folder: a Maildir (and its Maildir++ subfolders), an MH folder, or
 * a tree of mailboxes. */
static enum pm_status
import_dir(struct importer *im, const char *dir, const char *tag,
	   struct pm_err *err)
{
	enum pm_status st = PM_OK;
	int maildir = is_dir_at(dir, "cur") && is_dir_at(dir, "new");

	if (access(dir, R_OK | X_OK) != 0) {
		report(im, dir, "cannot read the folder", errno);
		return PM_OK;
	}
	if (maildir) {
		st = import_maildir_sub(im, dir, "new", tag, err);
		if (st == PM_OK)
			st = import_maildir_sub(im, dir, "cur", tag, err);
	} else if (is_mh(dir)) {
		st = import_mh(im, dir, tag, err);
	}
	return st == PM_OK ? import_children(im, dir, tag, maildir, err) : st;
}

/* Entries a folder tree holds that are no mail: skipped quietly. */
static int
ignored(const char *name, int maildir)
{
	static const char *const skip[] = {"cur", "new", "tmp"};
	const char *dot = strrchr(name, '.');

	if (maildir)
		for (size_t i = 0; i < 3; i++)
			if (strcmp(name, skip[i]) == 0)
				return 1;
	/* Thunderbird's indexes and settings */
	return all_digits(name) ||
	       (dot && (strcmp(dot, ".msf") == 0 || strcmp(dot, ".dat") == 0 ||
			strcmp(dot, ".json") == 0));
}

static enum pm_status
import_children(struct importer *im, const char *dir, const char *tag,
		int maildir, struct pm_err *err)
{
	enum pm_status st = PM_OK;
	struct dirent *de;
	DIR *d = opendir(dir);

	if (d == NULL) {
		report(im, dir, "cannot read the folder", errno);
		return PM_OK;
	}
	while (st == PM_OK && (de = readdir(d)) != NULL) {
		const char *n = de->d_name;
		char *path, *ctag;

		if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0 ||
		    ignored(n, maildir) ||
		    (n[0] == '.' && !(maildir && is_dir_at(dir, n))))
			continue;
		path = xasprintf("%s/%s", dir, n);
		/* readpst -r and Evolution name a folder's mbox "mbox" */
		ctag = strcmp(n, "mbox") == 0 ? xstrdup(tag)
					      : import_tag_join(tag, n);
		st = import_path(im, path, ctag, 0, err);
		free(ctag);
		free(path);
	}
	closedir(d);
	return st;
}

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(path) == 0 ? 0 : 0;
}

/* readpst -r -o tmpdir file: folders of mbox files, imported as a tree. */
static enum pm_status
import_pst(struct importer *im, const char *path, const char *tag,
	   struct pm_err *err)
{
	const char *tmp = getenv("TMPDIR");
	char *dir =
	    xasprintf("%s/popmuch-pst.XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
	enum pm_status st = PM_OK;
	int status = -1;
	pid_t pid;

	if (mkdtemp(dir) == NULL) {
		st = err_set(err, PM_CANTCREAT, "%s: %s", dir, strerror(errno));
		free(dir);
		return st;
	}
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		execlp("readpst", "readpst", "-q", "-r", "-b", "-8", "-o", dir,
		       path, (char *)NULL);
		_exit(errno == ENOENT ? 127 : 126);
	}
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	if (pid < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		struct pm_err e;

		err_set(&e, PM_DATAERR,
			WIFEXITED(status) && WEXITSTATUS(status) == 127
			    ? "%s: readpst is not installed (Debian "
			      "package pst-utils); cannot read PST files"
			    : "%s: readpst could not read it (run "
			      "'readpst -o /tmp %s' to see why)",
			path, path);
		import_report(im, &e);
	} else {
		st = import_children(im, dir, tag, 0, err);
	}
	(void)nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
	return st;
}

static enum pm_status
import_regular(struct importer *im, const char *path, const char *tag,
	       int given, struct pm_err *err)
{
	char head[4096];
	ssize_t n = -1;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		n = read(fd, head, sizeof(head));
		close(fd);
	}
	if (n < 0) {
		report(im, path, "cannot read", errno);
		return PM_OK;
	}
	if (n == 0)
		return PM_OK; /* an empty mailbox */
	if (n >= 4 && memcmp(head, "!BDN", 4) == 0)
		return import_pst(im, path, tag, err);
	if (mbox_sniff(head, (size_t)n))
		return import_mbox(im, path, tag, err);
	if (given) {
		struct pm_err e;

		err_set(&e, PM_DATAERR,
			"%s: not a mailbox (no mbox, Maildir, MH folder or "
			"PST file%s)",
			path,
			memchr(head, '\0', (size_t)n) ? "; binary data" : "");
		import_report(im, &e);
	}
	return PM_OK;
}

enum pm_status
import_path(struct importer *im, const char *path, const char *tag, int given,
	    struct pm_err *err)
{
	struct stat sb;

	if (stat(path, &sb) != 0) {
		report(im, path, "", errno);
		return PM_OK;
	}
	if (S_ISDIR(sb.st_mode))
		return import_dir(im, path, tag, err);
	if (S_ISREG(sb.st_mode))
		return import_regular(im, path, tag, given, err);
	if (given) {
		struct pm_err e;

		err_set(&e, PM_DATAERR, "%s: not a file or folder", path);
		import_report(im, &e);
	}
	return PM_OK;
}
