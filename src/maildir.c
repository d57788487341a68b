/* maildir.c: delivery into a Maildir (tmp → new), crash-safe.
 *
 * The discipline is qmail's and Dovecot's: a file is written under a
 * unique name in tmp/ (O_EXCL), flushed and fsynced, then renamed into
 * new/ and new/ itself is fsynced.  A reader never sees a partial file
 * in new/.  Names are built from the time, the pid, a process-wide
 * counter, random bits, the writer's start time and boot, and the host
 * name; nothing from the server ever becomes part of a path. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "popmuch/fault.h"
#include "popmuch/fsutil.h"
#include "popmuch/maildir.h"
#include "popmuch/parse.h"
#include "popmuch/xmalloc.h"

#define MAILDIR_BUF_SIZE (64 * 1024)
#define MAILDIR_STALE_SECONDS (36 * 60 * 60)
#define MAILDIR_NAME_TRIES 100

struct maildir {
	char *path;
	char *host; /* sanitised host name */
	int tmpfd;  /* O_DIRECTORY fds of tmp/, new/, cur/ */
	int newfd;
	int curfd;
};

struct maildir_tmp {
	struct maildir *md;
	int fd;
	char *unique; /* base name in tmp/ */
	char *name;   /* "<unique>,S=<size>", set by maildir_tmp_sync */
	uint64_t size;
	time_t mtime; /* 0: leave it */
	char *buf;
	size_t buflen;
	enum pm_status failed; /* sticky after a write error */
};

/* Process-wide, shared by threads delivering to different Maildirs. */
static unsigned long name_counter;

/* The host name with '/' and ':' escaped as the Maildir spec says. */
static char *
sanitised_host(void)
{
	char host[256], out[256 * 4 + 1];
	size_t i, o = 0;

	if (gethostname(host, sizeof(host)) != 0 || host[0] == '\0')
		strcpy(host, "localhost");
	host[sizeof(host) - 1] = '\0';
	for (i = 0; host[i] != '\0' && o < 100; i++) {
		unsigned char c = (unsigned char)host[i];

		if (c == '/' || c == ':' || c == '\\' || c <= 0x20 ||
		    c >= 0x7f) {
			snprintf(out + o, sizeof(out) - o, "\\%03o", c);
			o += 4;
		} else {
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
	return xstrdup(out);
}

/* ---- who wrote a file in tmp/ ------------------------------------------ */

/* A writer is named in its files by its pid, its start time in clock
 * ticks after boot (/proc/PID/stat field 22) and a hash of the boot id
 * and its pid namespace ("W<hash>T<ticks>" after R).  With the same hash
 * and host, a pid that is gone, a zombie, or now a process that started
 * at another time means the writer is dead: a pid is not reused while
 * its process lives, and the start time tells a reused one.  No wall
 * clock is involved, so a clock step cannot make a live writer look
 * dead. */
struct writer_id {
	unsigned long long start; /* 0: unknown, names carry no W/T */
	uint32_t ctx;
};

/* Start time and state of pid from /proc.  Returns 1 when read, 0 when
 * the process does not exist, -1 when /proc cannot tell. */
static int
proc_start(long pid, unsigned long long *start_r, char *state_r)
{
	char path[64], buf[1024], *p;
	ssize_t n;
	int fd, i;

	(void)snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	n = read(fd, buf, sizeof(buf) - 1);
	(void)close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* "pid (comm) state ppid ...": comm may hold anything but the
	 * last ')' ends it. */
	if ((p = strrchr(buf, ')')) == NULL || p[1] != ' ' || p[2] == '\0')
		return -1;
	*state_r = p[2];
	p += 3;
	for (i = 4; i <= 22; i++) { /* fields 4..22, the start time last */
		p += strspn(p, " ");
		if (i == 22)
			break;
		p += strcspn(p, " ");
	}
	if (*p < '0' || *p > '9')
		return -1;
	*start_r = strtoull(p, NULL, 10);
	return 1;
}

/* FNV-1a over the boot id and the pid namespace link; 0 when either is
 * unknown. */
static uint32_t
writer_ctx(void)
{
	char boot[64] = "", ns[64];
	uint32_t h = 2166136261u;
	ssize_t n, m;
	int fd;

	fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, boot, sizeof(boot) - 1);
	(void)close(fd);
	m = readlink("/proc/self/ns/pid", ns, sizeof(ns));
	if (n <= 0 || m <= 0)
		return 0;
	for (ssize_t i = 0; i < n + m; i++)
		h = (h ^ (unsigned char)(i < n ? boot[i] : ns[i - n])) *
		    16777619u;
	return h != 0 ? h : 1;
}

/* This process's identity, found again after a fork. */
static const struct writer_id *
self_id(void)
{
	static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	static struct writer_id me;
	static pid_t me_pid;
	char state;

	(void)pthread_mutex_lock(&mu);
	if (me_pid != getpid()) {
		me_pid = getpid();
		me.ctx = 0;
		if (proc_start((long)me_pid, &me.start, &state) == 1)
			me.ctx = writer_ctx();
		if (me.ctx == 0)
			me.start = 0;
	}
	(void)pthread_mutex_unlock(&mu);
	return &me;
}

/* The writer named in a name "<s>.M<us>P<pid>Q<n>R<16 hex>W<8
 * hex>T<start>.<host>"; the host part is returned, NULL for a name without W
 * and T. */
static const char *
name_writer(const char *name, long *pid_r, uint32_t *ctx_r,
	    unsigned long long *start_r)
{
	const char *p = strstr(name, "P");
	char *e;
	size_t n;

	if (p == NULL || (*pid_r = strtol(p + 1, &e, 10)) <= 0 || *e != 'Q' ||
	    (p = strchr(e, 'R')) == NULL)
		return NULL;
	n = strspn(p + 1, "0123456789abcdef");
	if (n != 16 || p[17] != 'W' ||
	    strspn(p + 18, "0123456789abcdef") != 8 || p[26] != 'T')
		return NULL;
	*ctx_r = (uint32_t)strtoul(p + 18, NULL, 16);
	*start_r = strtoull(p + 27, &e, 10);
	return e != p + 27 && *e == '.' ? e + 1 : NULL;
}

/* Is the writer of tmp/<name> certainly dead?  Only names of this host,
 * boot and pid namespace can say so; this process's own are alive. */
static int
writer_dead(const struct maildir *md, const char *name)
{
	const struct writer_id *me = self_id();
	unsigned long long start, now;
	const char *host;
	uint32_t ctx;
	long pid;
	char state;

	host = name_writer(name, &pid, &ctx, &start);
	if (me->ctx == 0 || host == NULL || ctx != me->ctx ||
	    strcmp(host, md->host) != 0 || pid == (long)getpid())
		return 0;
	if (kill((pid_t)pid, 0) != 0 && errno == ESRCH)
		return 1;
	return proc_start(pid, &now, &state) == 1 &&
	       (state == 'Z' || state == 'X' || now != start);
}

static char *
unique_name(const struct maildir *md)
{
	const struct writer_id *me = self_id();
	struct timeval tv;
	unsigned long n;
	uint64_t rnd = 0;
	char who[48] = "";

	gettimeofday(&tv, NULL);
	n = __atomic_fetch_add(&name_counter, 1, __ATOMIC_RELAXED);
	if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd))
		rnd ^= ((uint64_t)tv.tv_usec << 32) ^ (uint64_t)clock();
	if (me->ctx != 0)
		(void)snprintf(who, sizeof(who), "W%08xT%llu", me->ctx,
			       me->start);
	return xasprintf("%lld.M%ldP%ldQ%luR%016llx%s.%s", (long long)tv.tv_sec,
			 (long)tv.tv_usec, (long)getpid(), n,
			 (unsigned long long)rnd, who, md->host);
}

/* Create a new file in tmp/ under a fresh unique name. */
static enum pm_status
create_unique(struct maildir *md, char **unique_r, int *fd_r,
	      struct pm_err *err)
{
	int i, fd, e = EEXIST;
	char *u;

	for (i = 0; i < MAILDIR_NAME_TRIES; i++) {
		u = unique_name(md);
		fd = openat(
		    md->tmpfd, u,
		    O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd >= 0) {
			*unique_r = u;
			*fd_r = fd;
			return PM_OK;
		}
		e = errno;
		free(u);
		if (e != EEXIST)
			break;
	}
	errno = e;
	return err_set(err, e == EEXIST ? PM_CANTCREAT : fsutil_errno_status(e),
		       "cannot create a file in %s/tmp: %s", md->path,
		       strerror(e));
}

static enum pm_status
open_subdir(struct maildir *md, const char *sub, int *fd_r, struct pm_err *err)
{
	char *p = xasprintf("%s/%s", md->path, sub);
	enum pm_status st = fsutil_mkdirs(p, err);

	if (st == PM_OK) {
		*fd_r = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (*fd_r < 0)
			st = err_set(err, PM_CANTCREAT, "cannot open %s: %s", p,
				     strerror(errno));
	}
	free(p);
	return st;
}

/* Why new/ cannot take files, or 0.  faccessat() with the effective ids
 * knows about read-only mounts; root passes it whatever the mode bits
 * say, so look at the mount flags and mode bits too. */
static int
new_unwritable(const struct maildir *md)
{
	struct statvfs sv;
	struct stat st;

	if (faccessat(md->newfd, ".", W_OK | X_OK, AT_EACCESS) != 0)
		return errno;
	if (fstatvfs(md->newfd, &sv) == 0 && (sv.f_flag & ST_RDONLY))
		return EROFS;
	if (fstat(md->newfd, &st) == 0 && (st.st_mode & 0222) == 0)
		return EACCES;
	return 0;
}

/* tmp/: really create and remove a file (O_EXCL).  new/: see above. */
static enum pm_status
check_writable(struct maildir *md, struct pm_err *err)
{
	char *u;
	int fd, e;

	if (create_unique(md, &u, &fd, err) != PM_OK)
		return err_set(err, PM_CANTCREAT, "cannot write to %s/tmp: %s",
			       md->path, strerror(errno));
	close(fd);
	(void)unlinkat(md->tmpfd, u, 0);
	free(u);
	e = new_unwritable(md);
	if (e != 0)
		return err_set(err, PM_CANTCREAT, "cannot write to %s/new: %s",
			       md->path, strerror(e));
	return PM_OK;
}

enum pm_status
maildir_open(const char *path, struct maildir **md_r, struct pm_err *err)
{
	struct maildir *md;
	enum pm_status st;

	*md_r = NULL;
	if (path == NULL || path[0] == '\0')
		return err_set(err, PM_CANTCREAT, "empty Maildir path");
	st = fsutil_mkdirs(path, err);
	if (st != PM_OK)
		return st;
	md = xcalloc(1, sizeof(*md));
	md->path = xstrdup(path);
	md->host = sanitised_host();
	md->tmpfd = md->newfd = md->curfd = -1;
	st = open_subdir(md, "tmp", &md->tmpfd, err);
	if (st == PM_OK)
		st = open_subdir(md, "new", &md->newfd, err);
	if (st == PM_OK)
		st = open_subdir(md, "cur", &md->curfd, err);
	if (st == PM_OK)
		st = check_writable(md, err);
	if (st != PM_OK) {
		maildir_free(&md);
		return st;
	}
	*md_r = md;
	return PM_OK;
}

const char *
maildir_path(const struct maildir *md)
{
	return md->path;
}

enum pm_status
maildir_tmp_new(struct maildir *md, struct maildir_tmp **t_r,
		struct pm_err *err)
{
	struct maildir_tmp *t;
	enum pm_status st;
	char *u;
	int fd;

	*t_r = NULL;
	st = create_unique(md, &u, &fd, err);
	if (st != PM_OK)
		return st;
	t = xcalloc(1, sizeof(*t));
	t->md = md;
	t->fd = fd;
	t->unique = u;
	t->buf = xmalloc(MAILDIR_BUF_SIZE);
	*t_r = t;
	return PM_OK;
}

static enum pm_status
tmp_fail(struct maildir_tmp *t, int e, const char *what, struct pm_err *err)
{
	if (e == ENOSPC || e == EDQUOT)
		t->failed =
		    err_set(err, PM_NOSPACE, "no space left %s %s/tmp/%s", what,
			    t->md->path, t->unique);
	else
		t->failed = err_set(err, PM_IOERR, "%s %s/tmp/%s: %s", what,
				    t->md->path, t->unique, strerror(e));
	return t->failed;
}

static enum pm_status
write_all(struct maildir_tmp *t, const char *p, size_t len, struct pm_err *err)
{
	ssize_t n;

	while (len > 0) {
		n = write(t->fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return tmp_fail(t, n < 0 ? errno : ENOSPC, "writing",
					err);
		p += n;
		len -= (size_t)n;
	}
	return PM_OK;
}

static enum pm_status
tmp_flush(struct maildir_tmp *t, struct pm_err *err)
{
	enum pm_status st;

	if (t->buflen == 0)
		return PM_OK;
	st = write_all(t, t->buf, t->buflen, err);
	t->buflen = 0;
	return st;
}

static enum pm_status
tmp_usable(const struct maildir_tmp *t, struct pm_err *err)
{
	if (t->failed != PM_OK)
		return err_set(err, t->failed, "%s/tmp/%s: earlier error",
			       t->md->path, t->unique);
	if (t->fd < 0)
		return err_set(err, PM_SOFTWARE, "%s/tmp/%s: already synced",
			       t->md->path, t->unique);
	return PM_OK;
}

enum pm_status
maildir_tmp_write(struct maildir_tmp *t, const char *buf, size_t len,
		  struct pm_err *err)
{
	enum pm_status st = tmp_usable(t, err);

	if (st != PM_OK)
		return st;
	if (len > MAILDIR_BUF_SIZE - t->buflen) {
		st = tmp_flush(t, err);
		if (st != PM_OK)
			return st;
		if (len >= MAILDIR_BUF_SIZE) {
			st = write_all(t, buf, len, err);
			if (st != PM_OK)
				return st;
			t->size += len;
			return PM_OK;
		}
	}
	if (len > 0)
		memcpy(t->buf + t->buflen, buf, len);
	t->buflen += len;
	t->size += len;
	return PM_OK;
}

/* Flush, fsync and close the tmp file. */
enum pm_status
maildir_tmp_sync(struct maildir_tmp *t, struct pm_err *err)
{
	enum pm_status st = tmp_usable(t, err);
	int fd;

	if (st != PM_OK)
		return st;
	st = tmp_flush(t, err);
	if (st != PM_OK)
		return st;
	if (t->mtime != 0) {
		struct timespec ts[2] = {{0, UTIME_OMIT}, {t->mtime, 0}};

		if (futimens(t->fd, ts) != 0)
			return tmp_fail(t, errno, "setting the date of", err);
	}
	FAULT("maildir-before-fsync");
	while (fsync(t->fd) != 0)
		if (errno != EINTR)
			return tmp_fail(t, errno, "syncing", err);
	fd = t->fd;
	t->fd = -1;
	if (close(fd) != 0 && errno != EINTR)
		return tmp_fail(t, errno, "closing", err);
	free(t->buf);
	t->buf = NULL;
	t->name =
	    xasprintf("%s,S=%llu", t->unique, (unsigned long long)t->size);
	return PM_OK;
}

/* fsync the directory fd, md's subdirectory sub. */
static enum pm_status
sync_subdir(const struct maildir *md, int fd, const char *sub,
	    struct pm_err *err)
{
	while (fsync(fd) != 0)
		if (errno != EINTR)
			return err_set(err, fsutil_errno_status(errno),
				       "cannot sync %s/%s: %s", md->path, sub,
				       strerror(errno));
	return PM_OK;
}

enum pm_status
maildir_sync_new(struct maildir *md, struct pm_err *err)
{
	return sync_subdir(md, md->newfd, "new", err);
}

const char *
maildir_tmp_name(const struct maildir_tmp *t)
{
	return t->name;
}

uint64_t
maildir_tmp_size(const struct maildir_tmp *t)
{
	return t->size;
}

/* Move tmp/<unique> to <dirfd>/<name> without ever replacing a file. */
static int
move_no_replace_at(struct maildir *md, const char *unique, int dirfd,
		   const char *name)
{
#ifdef RENAME_NOREPLACE
	if (renameat2(md->tmpfd, unique, dirfd, name, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
#endif
	/* Filesystems without RENAME_NOREPLACE: link() refuses to replace
	 * too; plain rename() is the last resort (names are unique). */
	if (linkat(md->tmpfd, unique, dirfd, name, 0) == 0) {
		(void)unlinkat(md->tmpfd, unique, 0);
		return 0;
	}
	if (errno == EEXIST)
		return -1;
	return renameat(md->tmpfd, unique, dirfd, name);
}

static int
move_no_replace(struct maildir *md, const char *unique, const char *name)
{
	return move_no_replace_at(md, unique, md->newfd, name);
}

static enum pm_status
move_to_new(struct maildir *md, const char *unique, const char *name, int sync,
	    struct pm_err *err)
{
	if (move_no_replace(md, unique, name) != 0)
		return err_set(err, fsutil_errno_status(errno),
			       "cannot move %s/tmp/%s to new/: %s", md->path,
			       unique, strerror(errno));
	FAULT("maildir-after-rename");
	return sync ? maildir_sync_new(md, err) : PM_OK;
}

static enum pm_status
tmp_commit(struct maildir_tmp **tp, int sync, struct pm_err *err)
{
	struct maildir_tmp *t = *tp;
	enum pm_status st;

	if (t->name == NULL || t->failed != PM_OK) {
		st = err_set(err, PM_SOFTWARE,
			     "%s/tmp/%s: commit without a successful sync",
			     t->md->path, t->unique);
		maildir_tmp_abort(tp);
		return st;
	}
	st = move_to_new(t->md, t->unique, t->name, sync, err);
	/* A failed rename leaves the file in tmp/: remove it.  If only the
	 * fsync of new/ failed, the file stays in new/ for recovery. */
	if (st != PM_OK)
		(void)unlinkat(t->md->tmpfd, t->unique, 0);
	free(t->unique);
	free(t->name);
	free(t);
	*tp = NULL;
	return st;
}

enum pm_status
maildir_tmp_commit(struct maildir_tmp **tp, struct pm_err *err)
{
	return tmp_commit(tp, 1, err);
}

enum pm_status
maildir_tmp_move(struct maildir_tmp **tp, struct pm_err *err)
{
	return tmp_commit(tp, 0, err);
}

void
maildir_tmp_set_mtime(struct maildir_tmp *t, time_t mtime)
{
	t->mtime = mtime;
}

enum pm_status
maildir_tmp_move_cur(struct maildir_tmp **tp, const char *name, int *exists_r,
		     struct pm_err *err)
{
	struct maildir_tmp *t = *tp;
	enum pm_status st = PM_OK;

	*exists_r = 0;
	if (t->name == NULL || t->failed != PM_OK || !parse_basename_ok(name)) {
		st = err_set(err, PM_SOFTWARE, "%s: bad move to cur/",
			     t->md->path);
		maildir_tmp_abort(tp);
		return st;
	}
	if (move_no_replace_at(t->md, t->unique, t->md->curfd, name) != 0) {
		if (errno == EEXIST)
			*exists_r = 1;
		else
			st = err_set(err, fsutil_errno_status(errno),
				     "cannot move %s/tmp/%s to cur/: %s",
				     t->md->path, t->unique, strerror(errno));
	}
	maildir_tmp_abort(tp); /* the tmp name is gone or unwanted */
	return st;
}

enum pm_status
maildir_sync_cur(struct maildir *md, struct pm_err *err)
{
	return sync_subdir(md, md->curfd, "cur", err);
}

char *
maildir_cur_path(const struct maildir *md, const char *name)
{
	return xasprintf("%s/cur/%s", md->path, name);
}

void
maildir_tmp_abort(struct maildir_tmp **tp)
{
	struct maildir_tmp *t = tp ? *tp : NULL;

	if (t == NULL)
		return;
	if (t->fd >= 0)
		close(t->fd);
	(void)unlinkat(t->md->tmpfd, t->unique, 0);
	free(t->buf);
	free(t->unique);
	free(t->name);
	free(t);
	*tp = NULL;
}

/* The unique part of a final name: without the ",S=<digits>" suffix. */
static char *
unique_of(const char *name)
{
	const char *s = strstr(name, ",S=");
	const char *d;

	while (s != NULL) {
		for (d = s + 3; *d >= '0' && *d <= '9'; d++)
			;
		if (d > s + 3 && *d == '\0')
			return xstrndup(name, (size_t)(s - name));
		s = strstr(s + 1, ",S=");
	}
	return xstrdup(name);
}

static int
exists_at(int dirfd, const char *name)
{
	struct stat st;

	return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* Find name in cur/, exactly or followed by an info suffix (":2,FS";
 * some systems use ';' or '!' as the separator).  Returns the entry's
 * name (caller frees) or NULL. */
static char *
find_in_cur(const struct maildir *md, const char *name)
{
	size_t len = strlen(name);
	struct dirent *de;
	char *found = NULL;
	DIR *d;
	int fd;

	if (exists_at(md->curfd, name))
		return xstrdup(name);
	fd = openat(md->curfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, name, len) == 0 &&
		    strchr(":;!", de->d_name[len]) != NULL &&
		    de->d_name[len] != '\0') {
			found = xstrdup(de->d_name);
			break;
		}
	}
	closedir(d);
	return found;
}

enum maildir_where
maildir_find(struct maildir *md, const char *name)
{
	enum maildir_where w = MAILDIR_MISSING;
	char *cur, *u;

	if (!parse_basename_ok(name))
		return MAILDIR_MISSING;
	if (exists_at(md->newfd, name))
		return MAILDIR_IN_NEW;
	cur = find_in_cur(md, name);
	if (cur != NULL) {
		free(cur);
		return MAILDIR_IN_NEW;
	}
	u = unique_of(name);
	if (exists_at(md->tmpfd, u))
		w = MAILDIR_IN_TMP;
	free(u);
	return w;
}

enum pm_status
maildir_complete(struct maildir *md, const char *name, struct pm_err *err)
{
	enum pm_status st;
	char *u;

	if (!parse_basename_ok(name))
		return err_set(err, PM_SOFTWARE, "bad Maildir file name");
	u = unique_of(name);
	st = move_to_new(md, u, name, 1, err);
	free(u);
	return st;
}

char *
maildir_new_path(const struct maildir *md, const char *name)
{
	return xasprintf("%s/new/%s", md->path, name);
}

char *
maildir_locate(const struct maildir *md, const char *name)
{
	char *cur, *path;

	if (!parse_basename_ok(name))
		return NULL;
	if (exists_at(md->newfd, name))
		return maildir_new_path(md, name);
	cur = find_in_cur(md, name);
	if (cur == NULL)
		return NULL;
	path = xasprintf("%s/cur/%s", md->path, cur);
	free(cur);
	return path;
}

static const char *
skip_digits(const char *p)
{
	if (*p < '0' || *p > '9')
		return NULL;
	while (*p >= '0' && *p <= '9')
		p++;
	return p;
}

/* Does name look like one of ours: "<d>.M<d>P<d>Q<d>R..."? */
static int
popmuch_name(const char *name)
{
	static const char *const marks[] = {".M", "P", "Q", "R"};
	const char *p = name;
	size_t i, n;

	for (i = 0; i < 4; i++) {
		p = skip_digits(p);
		n = strlen(marks[i]);
		if (p == NULL || strncmp(p, marks[i], n) != 0)
			return 0;
		p += n;
	}
	return 1;
}

void
maildir_clean_tmp(struct maildir *md)
{
	time_t now = time(NULL);
	struct dirent *de;
	struct stat st;
	DIR *d;
	int fd;

	fd = openat(md->tmpfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (!popmuch_name(de->d_name) ||
		    fstatat(md->tmpfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) !=
			0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (now - st.st_mtime > MAILDIR_STALE_SECONDS ||
		    writer_dead(md, de->d_name))
			(void)unlinkat(md->tmpfd, de->d_name, 0);
	}
	closedir(d);
}

void
maildir_free(struct maildir **mdp)
{
	struct maildir *md = mdp ? *mdp : NULL;

	if (md == NULL)
		return;
	if (md->tmpfd >= 0)
		close(md->tmpfd);
	if (md->newfd >= 0)
		close(md->newfd);
	if (md->curfd >= 0)
		close(md->curfd);
	free(md->path);
	free(md->host);
	free(md);
	*mdp = NULL;
}
