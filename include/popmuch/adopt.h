/* adopt.h: what another POP3 client already downloaded, read from its
 * own state files, so that switching to popmuch downloads nothing twice.
 *
 * The readers know three peers, each as it writes its file:
 *   mpop      uidls_file (default ~/.mpop_uidls/%U_at_%H): comment lines,
 *             then per mailbox " COUNT HOST USER" and COUNT UIDL lines;
 *   fetchmail ~/.fetchids ($FETCHMAILHOME/.fetchids): "USER@HOST UIDL";
 *   getmail6  oldmail-HOST-PORT-USER in ~/.config/getmail or ~/.getmail:
 *             "UIDL\0FIRST-SEEN\n", the time in seconds since the epoch.
 * A set holds (UIDL, first-seen time or -1, which peers) once per UIDL.
 * The readers only read; nothing here writes a peer's file, and a
 * peer's record alone must never be the reason to delete a message on
 * the server (the caller's rule).  Core module: never prints. */
#ifndef POPMUCH_ADOPT_H
#define POPMUCH_ADOPT_H

#include <stddef.h>
#include <stdint.h>

#include "popmuch/config.h"
#include "popmuch/err.h"

/* The peers, as bits of adopt_entry.sources. */
enum adopt_source {
	ADOPT_MPOP = 1 << 0,
	ADOPT_FETCHMAIL = 1 << 1,
	ADOPT_GETMAIL = 1 << 2,
};

struct adopt_entry {
	char *uidl;	    /* 1-70 printable ASCII characters */
	int64_t first_seen; /* seconds since the epoch (getmail6 records
			     * it), the earliest of the peers; -1: unknown */
	unsigned sources;   /* enum adopt_source bits: who recorded it */
};

struct adopt_set;

/* A new, empty set; free it with adopt_set_free().
 * Returns: the set, never NULL. */
struct adopt_set *adopt_set_new(void);

/* Free set and its entries; accepts NULL; sets *set to NULL. */
void adopt_set_free(struct adopt_set **set);

/* Add the UIDLs of mpop's uidls file at path for the mailbox of host and
 * user (host compared without case; NULL host or user: every mailbox in
 * the file).  *added_r (may be NULL) gets the number of UIDLs the file
 * held for it.  A missing file adds nothing and is no error.
 * Returns: PM_OK; PM_DATAERR "PATH:LINE: ..." for a file that is not in
 * mpop's format (nothing of it is added); PM_IOERR "PATH: ..." when it
 * exists but cannot be read. */
enum pm_status adopt_read_mpop(struct adopt_set *set, const char *path,
			       const char *host, const char *user,
			       size_t *added_r, struct pm_err *err);

/* The same for fetchmail's .fetchids at path: the lines of "user@host"
 * (host without case; NULL: all).
 * Returns: as adopt_read_mpop(). */
enum pm_status adopt_read_fetchids(struct adopt_set *set, const char *path,
				   const char *host, const char *user,
				   size_t *added_r, struct pm_err *err);

/* The same for one getmail6 oldmail file at path (which names its
 * mailbox itself), with the first-seen times.
 * Returns: as adopt_read_mpop(). */
enum pm_status adopt_read_getmail(struct adopt_set *set, const char *path,
				  size_t *added_r, struct pm_err *err);

/* Find and read every peer's record of acct's mailbox where each peer
 * keeps it for this user: acct->uidls_file (or mpop's default
 * ~/.mpop_uidls/%U_at_%H, %U and %H replaced by acct's user and host),
 * $FETCHMAILHOME/.fetchids or ~/.fetchids, and getmail6's
 * oldmail-HOST-*-USER files (any port) in $XDG_CONFIG_HOME/getmail (or
 * ~/.config/getmail) and ~/.getmail.  Missing files are skipped.
 * *files_r (may be NULL) gets a new "\n"-separated list of the files that
 * added UIDLs (caller frees; "" when none), for --dry-run and logs.
 * Returns: PM_OK; else the first reader's error (PM_DATAERR or PM_IOERR
 * naming the file); what was read before it stays in set. */
enum pm_status adopt_load_account(struct adopt_set *set,
				  const struct account *acct, char **files_r,
				  struct pm_err *err);

/* The entry for uidl, or NULL; borrowed until set is freed or read into
 * again.
 * Returns: the entry or NULL. */
const struct adopt_entry *adopt_lookup(const struct adopt_set *set,
				       const char *uidl);

/* The number of distinct UIDLs in set, and the i-th of them in byte
 * order of the UIDL (borrowed as adopt_lookup()'s).
 * Returns: the count; the entry (NULL when i is out of range). */
size_t adopt_count(const struct adopt_set *set);
const struct adopt_entry *adopt_entry_at(const struct adopt_set *set, size_t i);

/* "mpop", "fetchmail", "getmail6" for one source bit; static.
 * Returns: the name, or "?" for anything else. */
const char *adopt_source_name(unsigned source);

#endif
