/* account.h: the facts about an account that several modules need, each
 * worked out in this one place: the home directory, the port, the state
 * directory, the Maildir and the authentication methods.
 *
 * Reads the environment and notmuch's configuration; never prints and
 * never touches the network.  Safe to call from any thread. */
#ifndef POPMUCH_ACCOUNT_H
#define POPMUCH_ACCOUNT_H

#include "popmuch/config.h"
#include "popmuch/err.h"

/* The authentication methods, strongest first: the order "auth on"
 * tries them in.  Adding a mechanism is one line here (and, unless GNU
 * SASL does it, its exchange in auth.c).
 * X(config name (lower case), SASL name or "USER"/"APOP",
 *   reveals: sends the password or token in clear,
 *   client_first: may send an initial response,
 *   automatic: "auth on" may pick it) */
#define ACCOUNT_AUTH_LIST(X)                                                   \
	X("scram-sha-256", "SCRAM-SHA-256", 0, 1, 1)                           \
	X("scram-sha-1", "SCRAM-SHA-1", 0, 1, 1)                               \
	X("cram-md5", "CRAM-MD5", 0, 0, 1)                                     \
	X("plain", "PLAIN", 1, 1, 1)                                           \
	X("login", "LOGIN", 1, 0, 1)                                           \
	X("user", "USER", 1, 0, 1)                                             \
	X("apop", "APOP", 0, 0, 0)                                             \
	X("external", "EXTERNAL", 0, 1, 0)                                     \
	X("xoauth2", "XOAUTH2", 1, 1, 0) /* a bearer token */                  \
	X("oauthbearer", "OAUTHBEARER", 1, 1, 0)

/* "on, scram-sha-256, ..., oauthbearer": every value 'auth' accepts, for
 * messages (a string literal). */
#define ACCOUNT_AUTH_NAME_(name, mech, reveals, client_first, automatic)       \
	", " name
#define ACCOUNT_AUTH_NAMES "on" ACCOUNT_AUTH_LIST(ACCOUNT_AUTH_NAME_)

/* Nonzero when name (lower case) is a value 'auth' accepts: "on" or a
 * method of ACCOUNT_AUTH_LIST. */
int account_auth_known(const char *name);

/* The home directory: $HOME when set and not empty, else the passwd
 * entry's.  Caller frees; NULL when neither is known. */
char *account_home(void);

/* s with a leading "~" or "~/" replaced by the home directory (as is
 * when it is unknown).  Caller frees. */
char *account_expand_tilde(const char *s);

/* The port acct connects to: its 'port', else 995 for implicit TLS and
 * 110 otherwise.  Never 0. */
unsigned account_port(const struct account *acct);

/* The mailbox acct's journal speaks for: "user@host:port", the host in
 * lower case and the port as account_port() gives it.  Caller frees. */
char *account_mailbox_id(const struct account *acct);

/* The state directory of the account named name:
 * $XDG_STATE_HOME/popmuch/<name>, or ~/.local/state/popmuch/<name> when
 * XDG_STATE_HOME is unset, empty or relative (the XDG base directory
 * spec: a relative path is invalid and ignored).  Nothing is created.
 * Caller frees *dir_r.
 * Returns: PM_OK; PM_CONFIG when neither an absolute XDG_STATE_HOME nor
 * a home directory is known. */
enum pm_status account_state_dir(const char *name, char **dir_r,
				 struct pm_err *err);

/* The account's Maildir as configured, else <mail_root>/<name> with
 * notmuch's mail root; not checked.  Caller frees *path_r.
 * Returns: PM_OK; PM_CONFIG when the mail root is needed and notmuch's
 * configuration gives none. */
enum pm_status account_maildir_path(const struct account *acct, char **path_r,
				    struct pm_err *err);

/* account_maildir_path(), checked to lie inside notmuch's mail root
 * (after resolving symbolic links; the Maildir need not exist yet).
 * Caller frees *path_r.
 * Returns: PM_OK; PM_CONFIG when it lies outside, or when notmuch's
 * configuration gives no mail root. */
enum pm_status account_maildir(const struct account *acct, char **path_r,
			       struct pm_err *err);

#endif
