/* outbox.h: the durable queue of messages to send, and sending them.
 *
 * A message is first written durably (fsync) to the outbox Maildir,
 * <mail root>/outbox; only then is it handed to the account's
 * sendmail_command.  On the command's success it is moved to the sent
 * Maildir (<mail root>/sent, flag S), indexed with tag "sent", and the
 * message it answers is tagged "replied" (maildir flag R).
 *
 * Each message's state is one small file in $XDG_STATE_HOME/popmuch/
 * .outbox/, replaced atomically: none or "queued" (waiting, with the
 * last temporary error), "sending" (handed to the command, result not
 * recorded: after a crash it is "maybe sent" and never resent
 * automatically), "failed" (permanent failure, with the reason; kept
 * until the person retries or deletes it), "sent" (accepted; filing in
 * sent/ and indexing not finished).  One outbox lock makes two senders
 * at once send nothing twice.  Never prints. */
#ifndef POPMUCH_OUTBOX_H
#define POPMUCH_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

#include "popmuch/config.h"
#include "popmuch/err.h"

enum outbox_state {
	OUTBOX_QUEUED,
	OUTBOX_MAYBE_SENT, /* "sending" found without a sender running */
	OUTBOX_FAILED,
	OUTBOX_SENT,	/* accepted, being filed/indexed */
	OUTBOX_SENDING, /* (outbox_list) being sent by a popmuch now */
};

struct outbox_entry {
	char *name; /* the file's base name in the outbox */
	char *path; /* where it is now */
	enum outbox_state state;
	int64_t when;  /* of the last state change, 0 if none */
	char *reason;  /* the last error, "" if none */
	char *subject; /* for display (decoded), "" if none */
	char *to;      /* for display, "" if none */
};

struct outbox;

/* Open the outbox of the notmuch mail root mail_root (creating outbox/,
 * sent/ and the state directory).  notmuch_config is used to index sent
 * copies (NULL: as the notmuch CLI finds it).
 * Returns: PM_OK; PM_CANTCREAT when a directory cannot be made. */
enum pm_status outbox_open(const char *mail_root, const char *notmuch_config,
			   struct outbox **ob_r, struct pm_err *err);

/* Write a message durably to the outbox (state: queued).  *name_r (may
 * be NULL) gets its name; caller frees.
 * Returns: PM_OK; PM_NOSPACE, PM_IOERR or PM_CANTCREAT when it could
 * not be written (nothing is queued then). */
enum pm_status outbox_queue(struct outbox *ob, const char *data, size_t len,
			    char **name_r, struct pm_err *err);

/* The messages in the outbox, oldest first.  Free with
 * outbox_entries_free().  Returns: PM_OK; PM_IOERR. */
enum pm_status outbox_list(struct outbox *ob, struct outbox_entry **v_r,
			   size_t *n_r, struct pm_err *err);
void outbox_entries_free(struct outbox_entry **v, size_t n);

/* What one send run did. */
struct outbox_result {
	size_t sent, queued, failed, maybe_sent;
	/* per message with a problem: "NAME: reason" lines, "" if none */
	char report[2048];
};

/* Send every queued message (only name when not NULL) with the
 * sendmail_command of the account its From belongs to (identity.h),
 * and finish filing messages a crash left accepted but not filed.
 * Messages that failed or may have been sent are left alone.
 * index_timeout bounds the wait for the notmuch lock.
 * Returns: PM_OK when every message went (or there was none);
 * PM_TEMPFAIL when some stay queued (no network, exit 75, the notmuch
 * database locked: a later run goes on); PM_UNAVAILABLE when some
 * failed permanently or may have been sent (the person must decide);
 * PM_LOCKED when another popmuch is sending; PM_CONFIG when the
 * command cannot run; PM_IOERR on a local error. */
enum pm_status outbox_send(struct outbox *ob, const struct config *cfg,
			   const char *name, int index_timeout,
			   struct outbox_result *res, struct pm_err *err);

/* The person decided about a failed or maybe-sent message: retry puts
 * it back in the queue; forget moves it to the sent Maildir without
 * sending (it did go out) when sent is true, else deletes it.
 * Returns: PM_OK; PM_USAGE when name is not in the outbox; PM_LOCKED
 * while a sender runs; PM_IOERR. */
enum pm_status outbox_retry(struct outbox *ob, const char *name,
			    struct pm_err *err);
enum pm_status outbox_forget(struct outbox *ob, const char *name, int sent,
			     struct pm_err *err);

void outbox_free(struct outbox **ob);

#endif
