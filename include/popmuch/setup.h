/* setup.h: "popmuch setup", the first run for a person with nothing
 * configured.
 *
 * The core (setup.c) finds a POP3 server for an address (a built-in
 * table of common providers, then RFC 6186 SRV records; autoconfig.h
 * reads Thunderbird's autoconfig after them), and writes the
 * notmuch and popmuch configuration files; it never prints or prompts.
 * The front end (setup-cli.c, like main.c) asks, probes the server with
 * probe_run() and reports. */
#ifndef POPMUCH_SETUP_H
#define POPMUCH_SETUP_H

#include "popmuch/err.h"

/* A POP3 server for an address. */
struct setup_server {
	char host[256];
	unsigned port;
	int implicit_tls;   /* 1: TLS from the start (995), 0: STLS */
	const char *how;    /* "provider table", "DNS SRV _pop3s._tcp",
			     * "autoconfig (...)";
			     * static */
	const char *oauth2; /* the oauth2_provider ("google", "microsoft")
			     * when the server takes OAuth2 logins only;
			     * NULL otherwise; static */
};

/* The domain of address (after the last '@'), borrowed from address.
 * Returns: the domain, or NULL when address has no '@' or nothing after
 * it. */
const char *setup_domain(const char *address);

/* The server of a common provider for domain (compared without case).
 * Returns: 1 and *srv filled when the table has it, else 0. */
int setup_provider(const char *domain, struct setup_server *srv);

/* RFC 6186: the SRV record _pop3s._tcp.DOMAIN (implicit TLS), else
 * _pop3._tcp.DOMAIN (STLS), the best by priority then weight; a target
 * of "." (service not offered) counts as none.
 * Returns: PM_OK with *srv filled; PM_UNAVAILABLE when the domain has
 * neither record (or DNS cannot be reached). */
enum pm_status setup_srv_lookup(const char *domain, struct setup_server *srv,
				struct pm_err *err);

/* Write text to path as a new file of mode 0600 (its directory created
 * 0700 as needed), through a temporary file renamed into place; an
 * existing path is never replaced.
 * Returns: PM_OK; PM_CANTCREAT when path exists or cannot be written. */
enum pm_status setup_write_new(const char *path, const char *text,
			       struct pm_err *err);

/* The notmuch configuration file "notmuch setup" would write for a mail
 * root, a name and an address (new.tags unread;inbox, exclude_tags
 * deleted;spam, maildir flag synchronisation on).  Caller frees.
 * Returns: the text. */
char *setup_notmuch_config(const char *mail_root, const char *name,
			   const char *address);

/* Where a new notmuch configuration goes: $NOTMUCH_CONFIG when set, else
 * ~/.notmuch-config (as notmuch setup).  Caller frees.
 * Returns: the path. */
char *setup_notmuch_config_path(void);

/* The front end: "popmuch setup [ADDRESS] [KEYWORD=VALUE...]" (see
 * popmuch(1)); config_path is -C's file or NULL, dry_run prints the
 * files instead of writing them.  Prints and prompts.
 * Returns: the exit code. */
int setup_main(const char *config_path, char **args, int nargs, int dry_run);

#endif
