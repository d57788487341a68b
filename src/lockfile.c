/* lockfile.c: the account lock (lockfile.h).  flock, not fcntl: the
 * lock belongs to the open file, so threads of one process that open
 * the same account are refused as another process would be. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "popmuch/lockfile.h"
#include "popmuch/parse.h"
#include "popmuch/xmalloc.h"

/* The pid the lock file on fd holds, or 0. */
static long
holder_pid(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	const char *end;
	uint64_t pid;

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	if (parse_u64_prefix(buf, &end, &pid) != 0 || pid == 0 ||
	    pid > INT32_MAX || (*end != '\n' && *end != '\0'))
		return 0;
	return (long)pid;
}

static enum pm_status
locked_by_other(int fd, struct pm_err *err)
{
	long pid = holder_pid(fd);

	if (pid > 0)
		return err_set(err, PM_LOCKED,
			       "locked by another popmuch run (pid %ld)", pid);
	return err_set(err, PM_LOCKED, "locked by another popmuch run");
}

enum pm_status
lockfile_take(const char *path, int wait, int *fd_r, struct pm_err *err)
{
	char buf[32];
	int fd, n;

	*fd_r = -1;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return err_set(err, PM_CANTCREAT, "cannot open %s: %s", path,
			       strerror(errno));
	*fd_r = fd;
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno != EWOULDBLOCK)
			return err_set(err, PM_IOERR, "cannot lock %s: %s",
				       path, strerror(errno));
		if (!wait)
			return locked_by_other(fd, err);
		if (flock(fd, LOCK_EX) != 0)
			return err_set(err, PM_LOCKED,
				       "waiting for the lock %s: %s", path,
				       strerror(errno));
	}
	/* The pid is only a hint for the message in locked_by_other(). */
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == 0)
		(void)!pwrite(fd, buf, (size_t)n, 0);
	return PM_OK;
}

int
lockfile_holder_running(const char *path)
{
	char comm[64] = "", *proc;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	long pid = fd >= 0 ? holder_pid(fd) : 0;
	FILE *f;

	if (fd >= 0)
		close(fd);
	if (pid <= 0 || (kill((pid_t)pid, 0) != 0 && errno != EPERM))
		return 0;
	proc = xasprintf("/proc/%ld/comm", pid);
	if ((f = fopen(proc, "r")) != NULL) {
		if (fgets(comm, sizeof(comm), f) == NULL)
			comm[0] = '\0';
		fclose(f);
	}
	free(proc);
	return strstr(comm, "popmuch") != NULL;
}
