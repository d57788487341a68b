/* config-int.h: what the configuration reader (config.c) and its keyword
 * handlers (config-kw.c) share.  Internal to those two files.
 *
 * The reader splits the file into lines and each line into a keyword and
 * its argument, looks the keyword up with config_keyword_find() and calls its
 * handler in the current section; the handler sets fields of that section
 * with config_set_str() (or directly, marking them in *cur_mask) and fails with
 * config_perr().  The reader keeps the sections, their inheritance and the
 * checks after reading. */
#ifndef POPMUCH_CONFIG_INT_H
#define POPMUCH_CONFIG_INT_H

#include <stdint.h>

#include "popmuch/config.h"
#include "popmuch/err.h"

/* clang-format off */
/* Every field of struct account that a keyword sets: name, is a string. */
#define FIELD_LIST(X)                                                        \
	X(host, 1) X(port, 0) X(timeout, 0) X(pipelining, 0)                 \
	X(source_ip, 1) X(tls, 0) X(tls_starttls, 0) X(tls_certcheck, 0)     \
	X(tls_trust_file, 1) X(tls_fingerprint, 1) X(tls_host_override, 1)   \
	X(tls_priorities, 1) X(tls_cert_file, 1) X(tls_key_file, 1)          \
	X(tls_crl_file, 1) X(auth, 1) X(user, 1) X(password, 1)              \
	X(passwordeval, 1) X(maildir, 1) X(received_header, 0) X(keep, 0)    \
	X(keep_seconds, 0) X(keep_max, 0) X(skipsize, 0) X(killsize, 0)      \
	X(only_new, 0) X(uidl_fingerprint, 0) X(tags, 1)                     \
	X(notmuch_config, 1)                                                 \
	X(oauth2_provider, 1) X(oauth2_client_id, 1)                         \
	X(oauth2_client_secret, 1) X(oauth2_client_secret_eval, 1)           \
	X(oauth2_tenant, 1) X(oauth2_auth_url, 1) X(oauth2_token_url, 1)     \
	X(oauth2_device_url, 1) X(oauth2_scope, 1)                           \
	X(uidls_file, 1) X(filter, 1) X(mda, 1) \
	X(from, 1) X(sendmail_command, 1) X(pgp, 1)

enum field_id {
#define FIELD_ENUM(name, is_str) F_##name,
	FIELD_LIST(FIELD_ENUM)
#undef FIELD_ENUM
	F_COUNT
};

/* clang-format on */
/* The bit of field f in a section's mask of fields it set itself. */
#define BIT(f) ((uint64_t)1 << (f))

/* The state of one parse; handlers may change cur's fields and cfg's
 * global settings. */
struct parse {
	const char *file;
	int line;
	struct config *cfg;
	uint64_t *masks; /* parallel to cfg->accounts */
	struct account *defaults;
	uint64_t defaults_mask; /* marks of the defaults section (unused) */
	struct account *cur;	/* NULL before "defaults" or "account" */
	uint64_t *cur_mask;
	int has_password;
	struct pm_err *err;

	/* Every error of the file is reported, not only the first: each
	 * failing line's message is appended here ("\n" between them). */
	char *errors;
	size_t nerrors;
	/* The lines after a refused "account" line are checked against
	 * this scratch section and then dropped. */
	struct account *scratch;
	uint64_t scratch_mask;
	/* "account default : NAME" (mpop's default account): its index in
	 * cfg->accounts, or -1; own_lines counts the lines it sets itself. */
	long default_index;
	int default_own_lines;
	char *default_parent; /* its one parent's name */
};

struct keyword;
/* A keyword's handler, called in the current section (p->cur, which is
 * NULL only for KW_GLOBAL rows before any section).  arg is the argument,
 * trimmed and, unless KW_WORDS, unquoted; the handler may change it in
 * place.  Returns PM_OK, or PM_CONFIG with p->err set by config_perr(). */
typedef enum pm_status (*kw_fn)(struct parse *p, const struct keyword *kw,
				char *arg);

/* Flags of a keyword row. */
#define KW_GLOBAL 0x1 /* only in the defaults section; sets struct config */
#define KW_WORDS 0x2  /* several words: the handler unquotes each itself */

struct keyword {
	const char *name;
	kw_fn fn;
	int field; /* F_* for the generic handlers, else -1 */
	unsigned flags;
	const char *hint; /* why it is refused, or what to write instead */
};

/* ---- config.c ---------------------------------------------------------- */

/* Fail for keyword kw at p's file and line: set p->err to
 * "file:line: kw: reason (hint)" and return PM_CONFIG.  hint may be NULL. */
__attribute__((format(printf, 4, 5))) enum pm_status
config_perr(struct parse *p, const char *kw, const char *hint, const char *fmt,
	    ...);

/* Set string field f of the current section to a copy of val (NULL
 * unsets it), freeing the old value, and mark f as set. */
void config_set_str(struct parse *p, int f, const char *val);

/* The int field f (not a string field) of a; borrowed from a. */
int *config_int_slot(struct account *a, int f);

/* Remove surrounding double quotes from s in place, handling \" and \\
 * inside.  An argument that does not both start and end with a quote is
 * left alone (mpop).  Returns -1 for a stray quote inside a quoted one. */
int config_unquote(char *s);

/* s without leading and trailing blanks; the end is cut in place. */
char *config_trim(char *s);

static inline int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Add a note for keyword kw at p's file and line ("file:line: kw:
 * note") to cfg->notes: a keyword that popmuch accepts but honours
 * differently from mpop. */
__attribute__((format(printf, 3, 4))) void
config_note(struct parse *p, const char *kw, const char *fmt, ...);

/* ---- config-kw.c ------------------------------------------------------- */

/* ---- config-mpop.c ----------------------------------------------------- */

/* The handlers of "delivery", "uidls_file" and "filter" (kw_fn).
 * Returns: PM_OK, or PM_CONFIG with p->err set by config_perr(). */
enum pm_status kw_delivery(struct parse *p, const struct keyword *kw,
			   char *arg);
enum pm_status kw_uidls_file(struct parse *p, const struct keyword *kw,
			     char *arg);
enum pm_status kw_filter(struct parse *p, const struct keyword *kw, char *arg);

/* The row of keyword name, or NULL; a static table, never freed. */
const struct keyword *config_keyword_find(const char *name);

/* Fail for the unknown keyword cmd like config_perr(), suggesting the nearest
 * known one.
 * Returns: PM_CONFIG, always. */
enum pm_status config_unknown_keyword(struct parse *p, const char *cmd);

/* After reading: an account with oauth2_provider gets the provider's POP3
 * server and auth method where it sets none, and is checked for what the
 * provider needs (client ID, custom URLs).
 * Returns: PM_OK, or PM_CONFIG with p->err set. */
enum pm_status config_oauth2_check(struct parse *p, struct account *a);

#endif
