/* import.h: 'popmuch import': mbox files, Maildir and Maildir++
 * folders, MH folders and Outlook PST/OST files into one Maildir under
 * notmuch's mail root, indexed as it goes, each message once.
 *
 * Every message gets a file name derived from its content
 * ("<date>.I<key>.popmuch:2,<flags>", key: a hash of its Message-ID and
 * body, or of the whole file when it has no Message-ID), so that a run
 * killed anywhere and run again delivers nothing twice; and the notmuch
 * database is asked for the Message-ID before anything is written, so
 * that a message it already holds (same body) is skipped.  See "Import"
 * in doc/HACKING.md. */
#ifndef POPMUCH_IMPORT_H
#define POPMUCH_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "popmuch/err.h"

struct import_stats {
	uint64_t messages;   /* read from the sources */
	uint64_t imported;   /* new files (or found undone from a killed run) */
	uint64_t duplicates; /* already in the database or earlier in the run */
	uint64_t errors;     /* files or messages that could not be read */
	uint64_t bytes;	     /* of the sources, read so far */
};

struct import_events {
	void *ctx;
	/* now and then (about every 100 messages), with the source file */
	void (*progress)(void *ctx, const char *source,
			 const struct import_stats *st);
	/* a source that could not be read (the run goes on) */
	void (*error)(void *ctx, const char *msg);
};

struct import_opts {
	const char *notmuch_config; /* NULL: as the notmuch CLI finds it */
	const char *maildir; /* relative to the mail root, or absolute inside
				it; NULL: "import" */
	char *const *tags;   /* "TAG", "+TAG" (add) or "-TAG" (remove) */
	size_t ntags;
	int dry_run;			    /* count, write nothing */
	const struct import_events *events; /* NULL: silent */
};

/* Import the n paths.  *st_r holds the counts, also on failure.
 * Returns: PM_OK; PM_DATAERR or PM_IOERR when some source could not be
 * read (each was reported through events->error; everything else was
 * imported); PM_CONFIG (no notmuch configuration, the Maildir outside
 * the mail root), PM_CANTCREAT, PM_NOSPACE, PM_INDEX, PM_LOCKED
 * (another import runs): the run stopped, what was imported stays. */
enum pm_status import_run(const struct import_opts *o, char *const *paths,
			  size_t n, struct import_stats *st_r,
			  struct pm_err *err);

/* import-cli.c, for main.c: is the command word "import"; run it
 * (parses its own options; returns the exit code); its help text. */
int import_cli_wanted(int argc, char **argv);
int import_cli_main(int argc, char **argv);
extern const char import_cli_synopsis[];
extern const char import_cli_help[];

#endif
