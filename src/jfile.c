/* jfile.c: the journal's file (jfile.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "popmuch/fsutil.h"
#include "popmuch/jfile.h"
#include "popmuch/parse.h"
#include "popmuch/xmalloc.h"

static enum pm_status
unusable(const struct jfile *f, struct pm_err *err)
{
	return err_set(err, f->broken,
		       "journal %s: unusable after an earlier error", f->path);
}

enum pm_status
jfile_append(struct jfile *f, const char *buf, size_t len, struct pm_err *err)
{
	size_t done = 0;
	ssize_t n;
	int e;

	if (f->broken != PM_OK)
		return unusable(f, err);
	while (done < len) {
		n = write(f->fd, buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			e = n < 0 ? errno : ENOSPC;
			if (ftruncate(f->fd, f->size) != 0)
				f->broken = fsutil_errno_status(e);
			return err_set(err, fsutil_errno_status(e),
				       "cannot write journal %s: %s", f->path,
				       strerror(e));
		}
		done += (size_t)n;
	}
	f->size += (off_t)len;
	f->dirty = 1;
	return PM_OK;
}

void
jfile_note_length(const struct jfile *f)
{
	char *path = xasprintf("%s.len", f->path), buf[64];
	struct stat sb;
	int fd, n;

	if (fstat(f->fd, &sb) == 0 &&
	    (fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
		       0600)) >= 0) {
		n = snprintf(buf, sizeof(buf), "%-20ju %-20jd\n",
			     (uintmax_t)sb.st_ino, (intmax_t)f->size);
		(void)!pwrite(fd, buf, (size_t)n, 0);
		close(fd);
	}
	free(path);
}

enum pm_status
jfile_sync(struct jfile *f, int note, struct pm_err *err)
{
	if (f->broken != PM_OK)
		return unusable(f, err);
	if (!f->dirty)
		return PM_OK;
	while (fdatasync(f->fd) != 0) {
		if (errno == EINTR)
			continue;
		f->broken = fsutil_errno_status(errno);
		return err_set(err, f->broken, "cannot sync journal %s: %s",
			       f->path, strerror(errno));
	}
	f->dirty = 0;
	if (note)
		jfile_note_length(f);
	return PM_OK;
}

int
jfile_was_longer(const char *path, int fd, off_t len, uint64_t *was_r)
{
	char *lpath = xasprintf("%s.len", path), buf[64];
	int lfd = open(lpath, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n = lfd >= 0 ? pread(lfd, buf, sizeof(buf) - 1, 0) : -1;
	uint64_t ino;
	const char *p;
	struct stat sb;

	if (lfd >= 0)
		close(lfd);
	free(lpath);
	if (n <= 0 || fstat(fd, &sb) != 0)
		return 0;
	buf[n] = '\0';
	if (parse_u64_prefix(buf, &p, &ino) != 0 ||
	    parse_u64_prefix(p + strspn(p, " "), &p, was_r) != 0)
		return 0;
	return ino == (uint64_t)sb.st_ino && *was_r > (uint64_t)len;
}

enum pm_status
jfile_read_at(int fd, const char *path, off_t off, size_t max, char **buf_r,
	      size_t *len_r, struct pm_err *err)
{
	struct stat sb;
	size_t cap = 64 * 1024, len = 0;
	char *buf;
	ssize_t n;

	if (fstat(fd, &sb) == 0 && sb.st_size > off)
		cap = (size_t)(sb.st_size - off) + 1; /* one read, normally */
	if (cap > max)
		cap = max;
	buf = xmalloc(cap + 1);
	while (len < max) {
		if (len == cap)
			buf = xreallocarray(buf, 1, (cap *= 2) + 1);
		n = pread(fd, buf + len, cap - len, off + (off_t)len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(buf);
			return err_set(err, PM_IOERR, "cannot read %s: %s",
				       path, strerror(errno));
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*buf_r = buf;
	*len_r = len;
	return PM_OK;
}

static int
write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? errno : ENOSPC;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

enum pm_status
jfile_write_new(const char *path, const void *a, size_t alen, const void *b,
		size_t blen, struct pm_err *err)
{
	int fd = open(
	    path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	int e = fd < 0 ? errno : write_all(fd, a, alen);

	if (e == 0)
		e = write_all(fd, b, blen);
	if (e == 0 && fsync(fd) != 0)
		e = errno;
	if (fd >= 0 && close(fd) != 0 && e == 0 && errno != EINTR)
		e = errno;
	if (e == 0)
		return PM_OK;
	(void)unlink(path);
	return err_set(err, fsutil_errno_status(e), "cannot write %s: %s", path,
		       strerror(e));
}
