/* jmailbox.h: the mailbox a journal speaks for ("user@host:port", from
 * account_mailbox_id()), and where the journal of another mailbox is
 * set aside (doc/HACKING.md, the rule for DELE, 7).  Pure but for the
 * allocation of the path. */
#ifndef POPMUCH_JMAILBOX_H
#define POPMUCH_JMAILBOX_H

/* Are a and b one mailbox?  Equal, or equal but for the port (110 and
 * 995 of one server). */
int jmailbox_same(const char *a, const char *b);

/* Where the journal at jpath waits for mailbox while the account reads
 * another: "<jpath>.<16 hex digits>", named by user@host alone, so that
 * a change of port alone finds it (caller frees). */
char *jmailbox_aside_path(const char *jpath, const char *mailbox);

#endif
