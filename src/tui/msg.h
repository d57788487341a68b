/* msg.h: rendering one message file for the message view (GMime 3; the
 * only TUI file with gmime.h).
 *
 * The file is untrusted: every text comes out as UTF-8 (charsets
 * converted, with fallbacks for mislabelled ones) and is laid out by
 * layout.h, which neutralises control characters. */
#ifndef POPMUCH_TUI_MSG_H
#define POPMUCH_TUI_MSG_H

#include <stddef.h>

#include "popmuch/err.h"

enum msg_mode {
	MSG_NORMAL,	  /* From, To, Cc, Date, Subject; the body */
	MSG_FULL_HEADERS, /* every header; the body */
	MSG_RAW,	  /* the file as it is */
};

enum msg_line_kind { ML_TEXT, ML_HEADER, ML_QUOTE, ML_NOTE };

struct msg_attachment {
	char *filename; /* decoded, never a path: no '/' */
	char *type;	/* "image/png" */
	size_t size;	/* decoded bytes */
	int part;	/* leaf index for msg_save_part */
};

struct msg_view {
	char **lines;	      /* tabs expanded, no newline */
	unsigned char *kinds; /* enum msg_line_kind per line */
	size_t nlines;
	struct msg_attachment *att;
	size_t natt;
};

/* Start/stop GMime (once per process). */
void msg_init(void);
void msg_shutdown(void);

/* Render the message file at path.  html_cmd is a shell command that
 * reads HTML on stdin and writes text (NULL: "w3m -dump -T text/html"
 * when w3m is on PATH, else tags are stripped; "": tags are stripped).
 * *v_r is new; free with
 * msg_view_free. */
enum pm_status msg_render(const char *path, enum msg_mode mode,
			  const char *html_cmd, struct msg_view **v_r,
			  struct pm_err *err);
void msg_view_free(struct msg_view **v);

/* Write the decoded content of leaf part (struct msg_attachment.part)
 * of the message at path to a new file dest (refused if it exists). */
enum pm_status msg_save_part(const char *path, int part, const char *dest,
			     struct pm_err *err);

#endif
