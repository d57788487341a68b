/* config.h: the mpop-compatible configuration file.
 *
 * Syntax (as mpop): one "keyword argument" per line; "#" starts a
 * comment line; arguments may be double-quoted (with \" and \\ escapes);
 * a leading "~/" in a file argument expands to $HOME.  "defaults" starts
 * the settings every later account inherits; "account NAME [: PARENT,...]"
 * starts an account that inherits from defaults, then from each parent in
 * order, then its own lines.  Every mpop keyword is honoured, accepted
 * with a note (config->notes) where popmuch does something else in its
 * place, or refused with a "file:line: keyword: reason" error; none is
 * silently ignored. */
#ifndef POPMUCH_CONFIG_H
#define POPMUCH_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "popmuch/err.h"

enum cfg_keep {
	CFG_KEEP_OFF = 0, /* delete on the server after download */
	CFG_KEEP_ON,	  /* leave everything on the server */
	CFG_KEEP_DAYS,	  /* leave, delete keep_seconds after first download */
};

enum cfg_tristate { CFG_AUTO = -1, CFG_OFF = 0, CFG_ON = 1 };

struct account {
	char *name;
	char *file; /* config file and line of the "account" line */
	int line;

	/* connection */
	char *host;
	unsigned port;	 /* 0: 995 with implicit TLS, else 110 */
	int timeout;	 /* seconds, default 180, never 0 */
	int pipelining;	 /* enum cfg_tristate, default CFG_AUTO */
	char *source_ip; /* NULL = any */

	/* TLS */
	int tls;	   /* default on */
	int tls_starttls;  /* default on (mpop's default): STLS on port 110 */
	int tls_certcheck; /* default on; off only when written */
	char *tls_trust_file;  /* NULL = system trust store (never "") */
	char *tls_fingerprint; /* "AA:BB:..." SHA-256 (or SHA-1) pin */
	char *tls_host_override;
	char *tls_priorities;
	char *tls_cert_file;
	char *tls_key_file;
	char *tls_crl_file;

	/* authentication: "on" (strongest offered), "user", "apop",
	 * "plain", "login", "cram-md5", "scram-sha-1", "scram-sha-256",
	 * "xoauth2", "oauthbearer", "external"; always lower case */
	char *auth;
	char *user;
	char *password;	    /* secret: wiped on free */
	char *passwordeval; /* command; its first output line is the password */

	/* OAuth2 (oauth2.h): set when oauth2_provider is; then the access
	 * token comes from token.h instead of secret_get() */
	char *oauth2_provider; /* "google", "microsoft", "custom" or NULL */
	char *oauth2_client_id;
	char *oauth2_client_secret;	 /* secret: wiped on free */
	char *oauth2_client_secret_eval; /* command printing the secret */
	char *oauth2_tenant;   /* Microsoft: common (default), consumers,
				* organizations or a tenant ID */
	char *oauth2_auth_url; /* custom (or override): endpoints */
	char *oauth2_token_url;
	char *oauth2_device_url;
	char *oauth2_scope; /* NULL: the provider's default */

	/* delivery */
	char *maildir; /* "delivery maildir DIR"; NULL = <mail_root>/<name> */
	int received_header; /* always 0: only "received_header off" is
			      * accepted, popmuch stores messages byte-exact */

	/* retention */
	enum cfg_keep keep;   /* default off, as mpop */
	int64_t keep_seconds; /* with CFG_KEEP_DAYS */
	long keep_max;	      /* -1: no limit */
	uint64_t skipsize;    /* bytes; 0: off */
	uint64_t killsize;    /* 0: off */
	int only_new;	      /* default on */
	int uidl_fingerprint; /* "uidl_fallback top": header fingerprint */

	/* notmuch */
	char *tags;	      /* e.g. "+work -inbox", NULL = none */
	char *notmuch_config; /* NULL = as the notmuch CLI finds it */

	/* mpop's keywords kept for what they tell (see popmuch.conf(5)) */
	char *uidls_file; /* mpop's "uidls_file", ~ expanded, %U and %H
			   * not yet replaced; NULL: mpop's default
			   * ~/.mpop_uidls/%U_at_%H.  Read to adopt mpop's
			   * record (adopt.h), never written. */
	char *filter;	  /* mpop's "filter" command; NULL: none */
	char *mda;	  /* the command of "delivery mda CMD"; popmuch
			   * delivers to the Maildir instead (maildir and
			   * tags are set from a "notmuch insert" command) */
	/* sending (compose, reply, forward, popmuch send) */
	char *from;		/* "Name <addr>", NULL: notmuch's user.* */
	char *sendmail_command; /* NULL: msmtp -t --read-envelope-from when
				 * installed, else /usr/sbin/sendmail -t -oi */
	char *pgp;		/* "sign" or "encrypt" by default, NULL: off */
};

/* "search NAME QUERY": a saved search of the TUI. */
struct cfg_search {
	char *name;
	char *query; /* a notmuch query */
};

/* "bind [SCREEN] KEY ACTION": checked by the TUI (which knows the
 * screens and actions) against file:line. */
struct cfg_bind {
	char *screen; /* NULL: every screen ("global") */
	char *key;
	char *action;
	char *file;
	int line;
};

/* Attribute bits of "color". */
enum cfg_attr {
	CFG_ATTR_BOLD = 1 << 0,
	CFG_ATTR_UNDERLINE = 1 << 1,
	CFG_ATTR_REVERSE = 1 << 2,
	CFG_ATTR_DIM = 1 << 3,
	CFG_ATTR_STANDOUT = 1 << 4,
	CFG_ATTR_BLINK = 1 << 5,
};

#define CFG_COLOR_DEFAULT (-1) /* the terminal's own colour */

/* "color ELEMENT FG [BG] [ATTR...]" or "color tag:NAME FG ...". */
struct cfg_color {
	char *element;	/* an element name, or "tag:NAME"; checked by the
			 * TUI against file:line */
	int fg, bg;	/* 0-255, or CFG_COLOR_DEFAULT */
	unsigned attrs; /* enum cfg_attr bits */
	char *file;
	int line;
};

struct config {
	char *path;
	struct account **accounts; /* in file order */
	size_t naccounts;
	int fetch_parallel; /* "fetch_parallel N", default 4 */

	/* The TUI's settings (global: before any section or in defaults). */
	struct cfg_search *searches; /* in file order; none: the TUI's
				      * defaults (inbox = tag:inbox, ...) */
	size_t nsearches;
	int64_t fetch_interval; /* seconds; 0: off (the default) */
	char *html_command;	/* NULL: w3m -dump -T text/html when
				 * installed, else tags stripped */
	struct cfg_bind *binds; /* in file order */
	size_t nbinds;
	struct cfg_color *colors; /* in file order */
	size_t ncolors;

	/* mpop's "account default : NAME": NAME, the account that plain
	 * mpop fetched; NULL when the file has none.  config_account()
	 * finds NAME also as "default".  popmuch fetch (no names) still
	 * fetches every account. */
	char *default_account;
	/* "file:line: keyword: note" for each keyword that popmuch accepts
	 * but honours differently from mpop (filter, delivery mda, ...). */
	char **notes;
	size_t nnotes;
	int send_with_fetch; /* "send_with_fetch on|off", default on: the
			      * TUI sends the outbox with each fetch */
};

/* Default config path: $XDG_CONFIG_HOME/popmuch/config, else
 * ~/.config/popmuch/config.  Caller frees. */
char *config_default_path(void);

/* The file to read when no -C is given: popmuch's own
 * (config_default_path()) when it exists; else mpop's, as mpop 1.4 looks
 * for it: ~/.mpoprc, then $XDG_CONFIG_HOME/mpop/config
 * (~/.config/mpop/config), the first that exists; else popmuch's own (so
 * that the "no configuration" message names it).  *is_mpop_r (may be
 * NULL) is set to 1 when the file is mpop's.  Caller frees.
 * Returns: the path, never NULL. */
char *config_find_path(int *is_mpop_r);

/* Parse the file at path.  On success *cfg_r is a new config the caller
 * frees with config_free().  Every error of the file is reported at once:
 * err holds one "file:line: keyword: reason" line per error, separated by
 * "\n" (cut after PM_ERR_MSG_MAX bytes with a count of the rest).  A file
 * that holds "password" and is readable by group or others is refused.
 * Returns: PM_OK; PM_CONFIG for errors in the file; PM_IOERR when it
 * cannot be read. */
enum pm_status config_load(const char *path, struct config **cfg_r,
			   struct pm_err *err);

/* Parse from a string (for tests and fuzzing); name is used in errors.
 * No permission check.
 * Returns: PM_OK; PM_CONFIG with "name:line: keyword: reason" in err. */
enum pm_status config_parse_string(const char *name, const char *text,
				   struct config **cfg_r, struct pm_err *err);

/* Find an account by name ("default" also finds the account named by
 * mpop's "account default : NAME"); borrowed from cfg, NULL if none. */
struct account *config_account(const struct config *cfg, const char *name);

/* The accounts named in names[0..n-1], in that order, or all of cfg's
 * when n is 0.  *accts_r is an array of borrowed pointers; caller frees
 * the array.
 * Returns: PM_OK; PM_USAGE naming the first name cfg does not have;
 * PM_CONFIG when n is 0 and no account is configured. */
enum pm_status config_select(const struct config *cfg, char *const *names,
			     size_t n, const struct account ***accts_r,
			     size_t *n_r, struct pm_err *err);

/* Parse a size "123", "10k", "5m", "1g" (k=1024).  Returns 0 on success. */
int config_parse_size(const char *s, uint64_t *size_r);

/* Parse a duration: a number followed by d (days), h, m or s, e.g. "30d".
 * A bare number is refused (ambiguous).  Returns 0 on success. */
int config_parse_duration(const char *s, int64_t *seconds_r);

/* What to tell the user about cfg: one line (each ending in "\n") per
 * note, after a line saying that mpop's file is read when is_mpop.
 * Caller frees.  Returns: the text, or NULL when there is nothing to
 * say. */
char *config_notes_text(const struct config *cfg, int is_mpop);

/* Whether text is what the file stamp holds (it was shown before); if
 * not, stamp is replaced by text (its directory must exist; a failure
 * to write it only means the text is shown again next time).
 * Returns: 1 when shown before, else 0. */
int config_shown_before(const char *stamp, const char *text);

/* Free cfg and every account in it (wiping passwords); sets *cfg to NULL. */
void config_free(struct config **cfg);

#endif
