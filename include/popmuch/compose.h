/* compose.h: drafts for compose, reply and forward, and the message a
 * draft becomes.
 *
 * A draft is what the person edits: RFC 5322-style header lines in
 * UTF-8 (From, To, Cc, Bcc, Subject, In-Reply-To, References, any other
 * header, and the pseudo-headers "Attach: FILE" and "Forward: FILE",
 * the latter attaching a message as message/rfc822), an empty line,
 * then the body as plain UTF-8 text.  compose_build() turns it into a
 * MIME message with GMime: headers RFC 2047-encoded, Date and
 * Message-ID generated, the body 7bit, quoted-printable or base64 as
 * its content needs (lines over 998 octets never go out unencoded),
 * attachments typed from their content and named per RFC 2231.
 * GMime objects never leave compose.c and draft.c.  Never prints. */
#ifndef POPMUCH_COMPOSE_H
#define POPMUCH_COMPOSE_H

#include <stddef.h>

#include "popmuch/err.h"
#include "popmuch/identity.h"

enum compose_kind {
	COMPOSE_NEW,
	COMPOSE_REPLY,		  /* to the sender (Reply-To, else From) */
	COMPOSE_REPLY_ALL,	  /* sender and every recipient, or
				   * Mail-Followup-To when there is one */
	COMPOSE_FORWARD,	  /* inline: the original's text in the body */
	COMPOSE_FORWARD_ATTACHED, /* the original as message/rfc822 */
};

struct compose_opts {
	enum compose_kind kind;
	const char *orig_path; /* the message replied to or forwarded */
	const char *html_cmd;  /* as config's html_command */
	const char *const *to, *const *cc, *const *attach;
	size_t nto, ncc, nattach;
	const char *subject; /* NULL: none (new) or derived (reply, fwd) */
};

/* The draft for o, as UTF-8 text (caller frees *draft_r).  From is the
 * identity the original was sent to (To, Cc, then Delivered-To and
 * friends), else ids' default.  A reply gets one "Re: ", a forward one
 * "Fwd: ", In-Reply-To and References, and the original's text (decoded
 * from its charset, HTML through html_cmd) quoted under "On DATE, NAME
 * wrote:".
 * Returns: PM_OK; PM_IOERR when orig_path cannot be read; PM_DATAERR
 * when it is not a message. */
enum pm_status compose_draft(const struct identities *ids,
			     const struct compose_opts *o, char **draft_r,
			     struct pm_err *err);

/* What compose_build() made. */
struct compose_msg {
	char *data; /* the message, LF line ends */
	size_t len;
	char *from_addr;   /* the From address */
	char *message_id;  /* without <> */
	char *in_reply_to; /* without <>, NULL if none */
};

/* Turn a draft into a message.  *m_r is new; free with
 * compose_msg_free().
 * Returns: PM_OK; PM_DATAERR naming the header or file at fault (no
 * From, From not one address, no recipient, an address without "@", a
 * header line without a colon); PM_IOERR when an attachment cannot be
 * read. */
enum pm_status compose_build(const char *draft, struct compose_msg **m_r,
			     struct pm_err *err);

void compose_msg_free(struct compose_msg **m);

/* True when a draft holds nothing but blanks (an emptied draft). */
int compose_draft_is_empty(const char *draft);

#endif
