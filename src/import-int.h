/* import-int.h: shared by import.c (delivery) and import-src.c (the
 * sources); not for other modules. */
#ifndef POPMUCH_IMPORT_INT_H
#define POPMUCH_IMPORT_INT_H

#include <time.h>

#include "popmuch/import.h"

struct importer;

/* What the source knows of the message being read. */
struct import_src {
	const char *path;   /* the file, for messages */
	const char *folder; /* its folder tag, "" for none */
	unsigned flags;	    /* MSGSCAN_* from the source (Maildir name, MH) */
	int header_flags;   /* take flags from Status/X-Status too (mbox) */
	time_t date;	    /* when the Date header is missing or bad; 0 */
};

/* One message: import_msg_data() any number of times, then
 * import_msg_end() (or import_msg_abort() when the source failed).
 * Returns: PM_OK (for a duplicate too: counted, not imported); else,
 * with err set, the status of writing the tmp/ file (PM_IOERR,
 * PM_NOSPACE, PM_CANTCREAT), of the duplicate check in notmuch, or of
 * delivering and indexing the batch this message completes. */
enum pm_status import_msg_data(struct importer *im, const char *buf, size_t len,
			       struct pm_err *err);
enum pm_status import_msg_end(struct importer *im, const struct import_src *src,
			      struct pm_err *err);
void import_msg_abort(struct importer *im);

/* A source problem: reported, counted, the run goes on. */
void import_report(struct importer *im, const struct pm_err *e);
/* Progress after a message of source; bytes: of the source so far
 * (0: the source is done, bytes counted with import_source_done). */
void import_progress(struct importer *im, const char *source, uint64_t bytes);
void import_source_done(struct importer *im, uint64_t bytes);

/* import-src.c: import the file or folder at path, with folder tag
 * tag; given: named on the command line (a file that is no mailbox is
 * an error, not skipped).  Returns PM_OK or a status that stops the
 * run (source errors are reported and counted instead). */
enum pm_status import_path(struct importer *im, const char *path,
			   const char *tag, int given, struct pm_err *err);

/* The folder tag of entry name in the folder tagged parent ("" for
 * none): "parent/name" without a mailbox extension (.mbox, .mbx, .sbd,
 * .pst, .ost); a Maildir++ ".a.b" gives "a/b".  Caller frees. */
char *import_tag_join(const char *parent, const char *name);

#endif
