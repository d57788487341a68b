/* msg.h: rendering one message file for the message view (GMime 3;
 * with msg-crypt.c the only TUI files with gmime.h).
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

/* ML_GOOD, ML_BAD: the result of a signature check or a decryption
 * (ML_NOTE: neither, e.g. an unknown key). */
enum msg_line_kind { ML_TEXT, ML_HEADER, ML_QUOTE, ML_NOTE, ML_GOOD, ML_BAD };

/* One node of the MIME tree, in depth-first order (the order of
 * struct msg_attachment.part numbers). */
enum msg_part_flag {
	MP_ATTACHMENT = 1 << 0, /* not shown inline: listed under the body,
				 * saved by "save all" */
	MP_CONTAINER = 1 << 1,	/* multipart/...: only its children */
	MP_VIEWABLE = 1 << 2,	/* text, message or multipart: the pager
				 * shows it (msg_render_part) */
	MP_DECRYPTED = 1 << 3,	/* the clear text of an encrypted part */
};

struct msg_attachment {
	char *filename; /* decoded, never a path: no '/' */
	char *type;	/* "image/png" */
	size_t size;	/* decoded bytes (a container: its encoded size) */
	int part;	/* node number for msg_save_part, msg_render_part */
	int depth;	/* nesting in the tree: 0 is the message's body */
	unsigned flags; /* enum msg_part_flag */
};

struct msg_view {
	char **lines;	      /* tabs expanded, no newline */
	unsigned char *kinds; /* enum msg_line_kind per line */
	size_t nlines;
	struct msg_attachment *att; /* every part, the tree in order */
	size_t natt;
	int decrypted; /* a decryption ran: gpg-agent's pinentry may have
			* drawn on the terminal */
};

/* Start/stop GMime (once per process). */
void msg_init(void);
void msg_shutdown(void);
/* Where the session keys notmuch stashed for a message (index.decrypt)
 * come from: fn(message_id, arg) returns a NULL-terminated vector
 * (freed with g_strfreev) or NULL.  Encrypted parts are decrypted with
 * them first, as notmuch show --decrypt=auto does, then with the secret
 * key.  fn NULL: none. */
void msg_set_session_keys(char **(*fn)(const char *id, void *arg), void *arg);
/* Where what rendering has to tell goes (a command that failed and was
 * passed over): fn(arg, text).  fn NULL: nowhere. */
void msg_set_log(void (*fn)(void *arg, const char *s), void *arg);

/* Render the message file at path.  HTML is shown through html_cmd, a
 * shell command that reads HTML on stdin and writes text ("": tags are
 * stripped); when it is NULL, or fails, through the first mailcap entry
 * for text/html with copiousoutput (autoview.h), else
 * "w3m -dump -T text/html" when w3m is on PATH, else tags are stripped.
 * A command that fails is logged (msg_set_log) and the next one tried.
 * *v_r is new; free with msg_view_free.
 * Returns: PM_OK; PM_IOERR, PM_DATAERR (unreadable or unparsable
 * file). */
enum pm_status msg_render(const char *path, enum msg_mode mode,
			  const char *html_cmd, struct msg_view **v_r,
			  struct pm_err *err);
void msg_view_free(struct msg_view **v);

/* Render part (struct msg_attachment.part) of the message at path on
 * its own, as msg_render does the whole message: a text part in any
 * charset (HTML through html_cmd) even when it is an attachment, a
 * message/rfc822 part with its headers and parts, a multipart with its
 * children, another leaf through the first mailcap entry with
 * copiousoutput for its type (a note line naming the entry, then its
 * output; mutt's auto_view); its parts keep their numbers in *v_r.
 * Returns: PM_OK; PM_IOERR (unreadable file), PM_DATAERR (no such part,
 * or a part that is not text and has no working copiousoutput entry:
 * open it with a viewer instead). */
enum pm_status msg_render_part(const char *path, int part, const char *html_cmd,
			       struct msg_view **v_r, struct pm_err *err);

/* Write part (struct msg_attachment.part) of the message at path to a
 * new file dest (refused if it exists): a leaf decoded, a message/rfc822
 * part as the message it holds, a multipart or decrypted part as MIME.
 * Returns: PM_OK; PM_IOERR (unreadable file, write error), PM_DATAERR
 * (no such part), PM_CANTCREAT (dest). */
enum pm_status msg_save_part(const char *path, int part, const char *dest,
			     struct pm_err *err);

#endif
