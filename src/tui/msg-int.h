/* msg-int.h: what msg.c and msg-crypt.c share: the walk over a message's
 * MIME tree (internal to the message rendering). */
#ifndef POPMUCH_TUI_MSG_INT_H
#define POPMUCH_TUI_MSG_INT_H

#include <gmime/gmime.h>

#include "msg.h"

/* One walk over the tree.  Every node gets a number in depth-first
 * order (struct msg_attachment.part); an encrypted part's clear text is
 * its one child.  The save walk (v NULL) stops once want is found. */
struct walk {
	struct msg_view *v; /* lines and parts go here, or NULL */
	const char *html_cmd;
	int node;	    /* the next node's number */
	int want;	    /* the node to find (found), else -1 */
	int force;	    /* a leaf to render inline whatever it is, or -1 */
	GMimeObject *found; /* borrowed */
	int level;	    /* depth in the tree */
	int depth;	    /* message/rfc822 and crypto nesting, bounded */
	int quiet;	    /* > 0: protocol parts (signatures), not
			     * attachments */
	int decrypted;	    /* the next node is a decrypted clear text */
	GPtrArray *keep;    /* objects made by decryption, unref'd at end */
	char **keys;	    /* stashed session keys of the message, or NULL */
};

/* Append one line of kind (enum msg_line_kind) to v. */
void msg_add_line(struct msg_view *v, const char *s, size_t len, int kind);

/* multipart/signed (PGP/MIME or S/MIME): verify it and add the result
 * as lines (good, bad, unknown key, by whom) to w->v. */
void crypt_verify_signed(struct walk *w, GMimeMultipartSigned *mps);

/* multipart/encrypted or application/pkcs7-mime (enveloped or signed
 * data): decrypt or unwrap it with gpgme (GMime's contexts), adding the
 * result as lines to w->v when show is set.  Returns the clear part
 * (owned by w->keep), or NULL when it cannot be opened. */
GMimeObject *crypt_open(struct walk *w, GMimeObject *obj, int show);

/* A text part holding inline (traditional) PGP armour: decrypted or
 * verified in place, the result as lines when show is set; anything
 * else is left alone. */
void crypt_inline(struct walk *w, GMimePart *part, int show);

#endif
