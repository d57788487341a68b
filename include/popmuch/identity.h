/* identity.h: who the person is when writing mail.
 *
 * The identities come from the notmuch configuration (user.name,
 * user.primary_email, user.other_email) and from the "from" keyword of
 * each account in popmuch's configuration.  An identity is a display
 * name and an address; the first one is the default.  Never prints. */
#ifndef POPMUCH_IDENTITY_H
#define POPMUCH_IDENTITY_H

#include <stddef.h>

#include "popmuch/config.h"
#include "popmuch/err.h"

struct identity {
	char *name;    /* display name, "" for none (UTF-8) */
	char *addr;    /* addr-spec, e.g. "jane@example.org" */
	char *account; /* the account whose "from" it is, or NULL */
	char *pgp;     /* that account's (else the first's) "pgp", or NULL */
};

struct identities {
	struct identity *v; /* v[0] is the default */
	size_t n;
};

/* Collect the identities of cfg: first each account's "from" (in file
 * order), then notmuch's primary_email and other_email (named with
 * user.name), each address once.  notmuch_config is the notmuch
 * configuration file (NULL: as the notmuch CLI finds it).  *ids_r is
 * new; free with identities_free().
 * Returns: PM_OK; PM_CONFIG when there is no address at all (naming
 * what to set) or a "from" is not an address. */
enum pm_status identities_load(const struct config *cfg,
			       const char *notmuch_config,
			       struct identities **ids_r, struct pm_err *err);

/* The identity with address addr (compared without case), or NULL.
 * Borrowed from ids. */
const struct identity *identities_find(const struct identities *ids,
				       const char *addr);

/* The account to send as id: the account whose "from" id is, else the
 * account whose user is id's address, else the first account; NULL
 * when cfg has none.  Borrowed from cfg. */
const struct account *identity_account(const struct config *cfg,
				       const struct identity *id);

/* "Name <addr>" (RFC 5322, not yet encoded) for id.  Caller frees. */
char *identity_format(const struct identity *id);

void identities_free(struct identities **ids);

#endif
