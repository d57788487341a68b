/* mailcap.h: the view command of a MIME type from the mailcap files
 * (RFC 1524), expanded so that nothing from the message reaches the
 * shell unquoted.
 *
 * Hand-written: no maintained C library reads mailcap files (mutt and
 * neomutt carry their own rfc1524.c).  Used when neither xdg-open nor
 * run-mailcap can be used.
 *
 * Safety, following mutt's rfc1524 approach: the file handed to %s has a
 * name popmuch generated (mailcap_safe_name), %t must be an RFC 2045
 * "token/token", and each substitution is quoted for the place of the
 * entry it lands in: outside quotes it is single-quoted; inside '...' or
 * "..." of the entry (`cat '%s'`) it is inserted as is, and only when it
 * holds no character that could end or escape those quotes.  %{name}
 * (a Content-Type parameter, e.g. %{charset}) is quoted the same way.
 *
 * mailcap_find with MAILCAP_COPIOUS is mutt's auto_view choice: the
 * first entry with copiousoutput (autoview.h runs it). */
#ifndef POPMUCH_TUI_MAILCAP_H
#define POPMUCH_TUI_MAILCAP_H

#include "popmuch/err.h"

struct mailcap_entry {
	char *command;	    /* for sh -c; the file on stdin if no %s */
	char *nametemplate; /* its nametemplate= ("%s.html"), or NULL */
	int needsterminal;  /* run in the terminal, curses suspended */
	int copiousoutput;  /* page its output */
};

/* Which entries mailcap_find takes. */
enum mailcap_want {
	MAILCAP_VIEW,	 /* the first entry for the type */
	MAILCAP_COPIOUS, /* the first with copiousoutput (auto_view) */
};

/* Is type an RFC 2045 "token/token" (no space, control or tspecial)? */
int mailcap_type_ok(const char *type);

/* A file name for an attachment called filename (may be NULL): "part"
 * plus filename's extension when that is 1-16 ASCII letters and digits
 * ("part.pdf").  Caller frees. */
char *mailcap_safe_name(const char *filename);

/* Expand the view command cmd of a mailcap entry: %s is file, %t is
 * type, %{name} the value of name in params (NULL-terminated name,
 * value pairs, e.g. {"charset", "UTF-8", NULL}; params may be NULL; a
 * name not there is empty, as in mutt), \% and \; are % and ;.  An
 * entry without %s gets the file on its standard input ("exec <file;"
 * first, so that every command of a pipeline sees it).  *out_r is new.
 * Returns: PM_OK; PM_DATAERR when file, type or a parameter cannot be
 * put where the entry wants it safely (err says which). */
enum pm_status mailcap_expand(const char *cmd, const char *type,
			      const char *file, const char *const *params,
			      char **out_r, struct pm_err *err);

/* The first entry for type (the exact type, its main type with the
 * subtype "*", or the main type alone) without a test= field, and with
 * copiousoutput for MAILCAP_COPIOUS, in $MAILCAPS (a colon list), else
 * ~/.mailcap then /etc/mailcap; its command as written (not expanded).
 * *e_r is new; free with mailcap_entry_free.
 * Returns: PM_OK; PM_UNAVAILABLE when no entry matches (err says so);
 * PM_DATAERR when type is not a valid MIME type. */
enum pm_status mailcap_find(const char *type, enum mailcap_want want,
			    struct mailcap_entry **e_r, struct pm_err *err);

/* mailcap_find(type, MAILCAP_VIEW) expanded for file (no parameters).
 * Returns: PM_OK; PM_UNAVAILABLE when no entry matches; PM_DATAERR when
 * type is not a valid MIME type or the expansion is refused. */
enum pm_status mailcap_lookup(const char *type, const char *file,
			      struct mailcap_entry **e_r, struct pm_err *err);
void mailcap_entry_free(struct mailcap_entry **e);

#endif
