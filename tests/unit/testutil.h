/* testutil.h: file helpers shared by the unit tests (header-only). */
#ifndef POPMUCH_TESTUTIL_H
#define POPMUCH_TESTUTIL_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "popmuch/xmalloc.h"
#include "tap.h"

/* The whole file at path, NUL-terminated (caller frees), or NULL;
 * *len_r is its length. */
__attribute__((unused)) static char *
slurp(const char *path, size_t *len_r)
{
	struct stat st;
	char *buf;
	ssize_t n;
	int fd = open(path, O_RDONLY);

	*len_r = 0;
	if (fd < 0 || fstat(fd, &st) != 0) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	n = read(fd, buf, (size_t)st.st_size);
	close(fd);
	*len_r = n > 0 ? (size_t)n : 0;
	buf[*len_r] = '\0';
	return buf;
}

/* As root, mount a 64 KiB tmpfs at mnt (created) for a disk-full test.
 * Returns 0, or -1 after a diag line saying why the test is skipped. */
__attribute__((unused)) static int
small_tmpfs(const char *mnt, const char *what)
{
	if (geteuid() != 0 || mkdir(mnt, 0700) != 0 ||
	    mount("tmpfs", mnt, "tmpfs", 0, "size=64k") != 0) {
		diag("skip %s: needs root and tmpfs mounts", what);
		return -1;
	}
	return 0;
}

/* Unmount what small_tmpfs() mounted. */
__attribute__((unused)) static void
small_tmpfs_done(const char *mnt)
{
	if (umount(mnt) != 0)
		diag("umount %s: %s", mnt, strerror(errno));
}

/* An independent CRC-32 (bitwise) to write journals by hand. */
__attribute__((unused)) static uint32_t
crc32_bitwise(const char *s, size_t len)
{
	uint32_t c = 0xffffffffu;
	size_t i;
	int k;

	for (i = 0; i < len; i++) {
		c ^= (unsigned char)s[i];
		for (k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
	}
	return ~c;
}

/* Append "content *CRC\n" to f. */
__attribute__((unused)) static void
put_line(FILE *f, const char *content)
{
	fprintf(f, "%s *%08" PRIX32 "\n", content,
		crc32_bitwise(content, strlen(content)));
}

/* rm -rf path (a diag line when it fails). */
__attribute__((unused)) static void
rm_tree(const char *path)
{
	char *cmd = xasprintf("rm -rf '%s'", path);

	if (system(cmd) != 0)
		diag("cannot remove %s", path);
	free(cmd);
}

/* Entries in dir but . and .., -1 when it cannot be read. */
__attribute__((unused)) static int
dir_entries(const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		n += strcmp(de->d_name, ".") != 0 &&
		     strcmp(de->d_name, "..") != 0;
	closedir(d);
	return n;
}

#endif
