/* identity.c: the person's names and addresses (see identity.h). */
#include "config.h"

#include <gmime/gmime.h>
#include <notmuch.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "popmuch/identity.h"
#include "popmuch/xmalloc.h"

static void
add(struct identities *ids, const char *name, const char *addr,
    const char *account)
{
	struct identity *id;

	if (addr == NULL || addr[0] == '\0' || identities_find(ids, addr))
		return;
	ids->v = xreallocarray(ids->v, ids->n + 1, sizeof(*ids->v));
	id = &ids->v[ids->n++];
	id->name = xstrdup(name ? name : "");
	id->addr = xstrdup(addr);
	id->account = account ? xstrdup(account) : NULL;
	id->pgp = NULL;
}

/* An account's "from": one mailbox, with or without a name. */
static enum pm_status
add_from(struct identities *ids, const struct account *a, struct pm_err *err)
{
	InternetAddressList *l = internet_address_list_parse(NULL, a->from);
	InternetAddress *ia;
	enum pm_status st = PM_OK;

	if (l == NULL || internet_address_list_length(l) != 1 ||
	    !INTERNET_ADDRESS_IS_MAILBOX(
		ia = internet_address_list_get_address(l, 0)))
		st = err_set(err, PM_CONFIG,
			     "account %s: from \"%.200s\" is not one address "
			     "(write from \"Name <user@example.org>\")",
			     a->name, a->from);
	else
		add(ids, internet_address_get_name(ia),
		    internet_address_mailbox_get_addr(
			INTERNET_ADDRESS_MAILBOX(ia)),
		    a->name);
	if (l != NULL)
		g_object_unref(l);
	return st;
}

/* notmuch's user.name, user.primary_email and user.other_email. */
static void
add_notmuch(struct identities *ids, const char *notmuch_config)
{
	notmuch_database_t *db = NULL;
	notmuch_config_values_t *vals;
	const char *name;
	char *msg = NULL;

	(void)notmuch_database_load_config(NULL, notmuch_config, NULL, &db,
					   &msg);
	free(msg);
	if (db == NULL)
		return;
	name = notmuch_config_get(db, NOTMUCH_CONFIG_USER_NAME);
	add(ids, name, notmuch_config_get(db, NOTMUCH_CONFIG_PRIMARY_EMAIL),
	    NULL);
	for (vals = notmuch_config_get_values(db, NOTMUCH_CONFIG_OTHER_EMAIL);
	     vals && notmuch_config_values_valid(vals);
	     notmuch_config_values_move_to_next(vals))
		add(ids, name, notmuch_config_values_get(vals), NULL);
	if (vals != NULL)
		notmuch_config_values_destroy(vals);
	notmuch_database_destroy(db);
}

enum pm_status
identities_load(const struct config *cfg, const char *notmuch_config,
		struct identities **ids_r, struct pm_err *err)
{
	struct identities *ids = xcalloc(1, sizeof(*ids));

	g_mime_init();
	for (size_t i = 0; i < cfg->naccounts; i++)
		if (cfg->accounts[i]->from != NULL &&
		    add_from(ids, cfg->accounts[i], err) != PM_OK) {
			identities_free(&ids);
			return PM_CONFIG;
		}
	add_notmuch(ids, notmuch_config);
	for (size_t i = 0; i < ids->n; i++) {
		const struct account *a = identity_account(cfg, &ids->v[i]);

		ids->v[i].pgp = a && a->pgp ? xstrdup(a->pgp) : NULL;
	}
	if (ids->n == 0) {
		identities_free(&ids);
		return err_set(err, PM_CONFIG,
			       "no address to send from: set user.name and "
			       "user.primary_email in notmuch (notmuch config "
			       "set user.primary_email ADDR) or 'from' in %s",
			       cfg->path);
	}
	*ids_r = ids;
	return PM_OK;
}

const struct identity *
identities_find(const struct identities *ids, const char *addr)
{
	for (size_t i = 0; addr != NULL && i < ids->n; i++)
		if (strcasecmp(ids->v[i].addr, addr) == 0)
			return &ids->v[i];
	return NULL;
}

const struct account *
identity_account(const struct config *cfg, const struct identity *id)
{
	size_t i;

	if (id != NULL && id->account != NULL &&
	    config_account(cfg, id->account) != NULL)
		return config_account(cfg, id->account);
	for (i = 0; id != NULL && i < cfg->naccounts; i++)
		if (cfg->accounts[i]->user != NULL &&
		    strcasecmp(cfg->accounts[i]->user, id->addr) == 0)
			return cfg->accounts[i];
	return cfg->naccounts > 0 ? cfg->accounts[0] : NULL;
}

char *
identity_format(const struct identity *id)
{
	InternetAddress *ia = internet_address_mailbox_new(id->name, id->addr);
	char *s = internet_address_to_string(ia, NULL, FALSE);
	char *out = xstrdup(s);

	g_free(s);
	g_object_unref(ia);
	return out;
}

void
identities_free(struct identities **ids)
{
	if (*ids == NULL)
		return;
	for (size_t i = 0; i < (*ids)->n; i++) {
		free((*ids)->v[i].name);
		free((*ids)->v[i].addr);
		free((*ids)->v[i].account);
		free((*ids)->v[i].pgp);
	}
	free((*ids)->v);
	free(*ids);
	*ids = NULL;
}
