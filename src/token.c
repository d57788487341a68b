/* token.c: an account's OAuth2 tokens between runs: the Secret Service
 * key ring through libsecret, else a 0600 file; JSON through json-glib. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <libsecret/secret.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "popmuch/account.h"
#include "popmuch/fsutil.h"
#include "popmuch/log.h"
#include "popmuch/token.h"
#include "popmuch/xmalloc.h"

#define RECORD_MAX (256 * 1024)

static const SecretSchema schema = {
    "org.popmuch.OAuth2",
    SECRET_SCHEMA_NONE,
    {{"popmuch-account", SECRET_SCHEMA_ATTRIBUTE_STRING},
     {NULL, SECRET_SCHEMA_ATTRIBUTE_STRING}},
    0,
    NULL,
    NULL,
    NULL,
    NULL,
    NULL,
    NULL,
    NULL};

struct rec {
	char *refresh, *access; /* secrets */
	int64_t expires, obtained, used;
};

static void
rec_clear(struct rec *r)
{
	xfree_secret(r->refresh);
	xfree_secret(r->access);
	memset(r, 0, sizeof(*r));
}

/* ---- the record as JSON ------------------------------------------------- */

static char *
rec_to_json(const struct rec *r)
{
	JsonBuilder *b = json_builder_new();
	JsonGenerator *g = json_generator_new();
	JsonNode *root;
	gchar *s;
	char *out;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "version");
	json_builder_add_int_value(b, 1);
	json_builder_set_member_name(b, "refresh_token");
	json_builder_add_string_value(b, r->refresh ? r->refresh : "");
	json_builder_set_member_name(b, "access_token");
	json_builder_add_string_value(b, r->access ? r->access : "");
	json_builder_set_member_name(b, "access_expires");
	json_builder_add_int_value(b, r->expires);
	json_builder_set_member_name(b, "refresh_obtained");
	json_builder_add_int_value(b, r->obtained);
	json_builder_set_member_name(b, "refresh_used");
	json_builder_add_int_value(b, r->used);
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	json_generator_set_root(g, root);
	s = json_generator_to_data(g, NULL);
	out = xstrdup(s);
	xwipe(s, strlen(s));
	g_free(s);
	json_node_unref(root);
	g_object_unref(g);
	g_object_unref(b);
	return out;
}

static enum pm_status
rec_from_json(const char *text, const char *where, struct rec *r,
	      struct pm_err *err)
{
	JsonParser *jp = json_parser_new();
	JsonNode *root;
	JsonObject *o;

	memset(r, 0, sizeof(*r));
	if (!json_parser_load_from_data(jp, text, -1, NULL) ||
	    (root = json_parser_get_root(jp)) == NULL ||
	    !JSON_NODE_HOLDS_OBJECT(root)) {
		g_object_unref(jp);
		return err_set(err, PM_DATAERR,
			       "the OAuth2 token record in %s is damaged; "
			       "run 'popmuch auth' again",
			       where);
	}
	o = json_node_get_object(root);
	r->refresh = oauth2_json_dup(o, "refresh_token");
	r->access = oauth2_json_dup(o, "access_token");
	r->expires =
	    json_object_get_int_member_with_default(o, "access_expires", 0);
	r->obtained =
	    json_object_get_int_member_with_default(o, "refresh_obtained", 0);
	r->used = json_object_get_int_member_with_default(o, "refresh_used", 0);
	g_object_unref(jp);
	return PM_OK;
}

/* ---- the key ring ------------------------------------------------------- */

/* Is there a session bus to ask?  Without one libsecret would try to
 * start a bus (dbus-launch, X11) from cron. */
static int
bus_present(void)
{
	const char *rt = getenv("XDG_RUNTIME_DIR");
	char *path;
	int ok;

	if (getenv("DBUS_SESSION_BUS_ADDRESS") != NULL &&
	    *getenv("DBUS_SESSION_BUS_ADDRESS") != '\0')
		return 1;
	if (rt == NULL || *rt == '\0')
		return 0;
	path = xasprintf("%s/bus", rt);
	ok = access(path, F_OK) == 0;
	free(path);
	return ok;
}

/* Why the key ring could not be asked in this thread's last lookup, ""
 * when it could (or there is no session bus). */
static __thread char keyring_why[256];

/* Look the record up.  *usable_r: a Secret Service answered. */
static enum pm_status
keyring_load(const struct account *a, struct rec *r, int *found_r,
	     int *usable_r, struct pm_err *err)
{
	GError *ge = NULL;
	gchar *s;
	enum pm_status st = PM_OK;

	*found_r = *usable_r = 0;
	memset(r, 0, sizeof(*r));
	keyring_why[0] = '\0';
	if (!bus_present())
		return PM_OK;
	s = secret_password_lookup_sync(&schema, NULL, &ge, "popmuch-account",
					a->name, NULL);
	if (ge != NULL) {
		log_msg(PM_LOG_INFO,
			"%s: no usable Secret Service (%s); the token "
			"lives in a file",
			a->name, ge->message);
		(void)snprintf(keyring_why, sizeof(keyring_why), "%s",
			       ge->message);
		g_error_free(ge);
		return PM_OK;
	}
	*usable_r = 1;
	if (s != NULL) {
		st = rec_from_json(s, "the key ring", r, err);
		*found_r = st == PM_OK;
		secret_password_free(s);
	}
	return st;
}

static enum pm_status
keyring_save(const struct account *a, const char *json, struct pm_err *err)
{
	GError *ge = NULL;
	char *label = xasprintf("popmuch OAuth2 token for %s", a->name);
	gboolean ok;

	ok = secret_password_store_sync(&schema, SECRET_COLLECTION_DEFAULT,
					label, json, NULL, &ge,
					"popmuch-account", a->name, NULL);
	free(label);
	if (!ok) {
		err_set(err, PM_IOERR,
			"cannot store the token in the key ring: %s",
			ge ? ge->message : "unknown error");
		if (ge)
			g_error_free(ge);
		return PM_IOERR;
	}
	return PM_OK;
}

/* ---- the file ----------------------------------------------------------- */

/* The token file of a, in its state directory; NULL with err set when
 * there is no state directory. */
static char *
file_path(const struct account *a, struct pm_err *err)
{
	char *dir, *path;

	if (account_state_dir(a->name, &dir, err) != PM_OK)
		return NULL;
	path = xasprintf("%s/oauth2-token", dir);
	free(dir);
	return path;
}

static enum pm_status
file_load(const struct account *a, struct rec *r, int *found_r,
	  struct pm_err *err)
{
	char *path = file_path(a, err), *buf;
	int fd;
	enum pm_status st = PM_OK;
	ssize_t n;

	*found_r = 0;
	memset(r, 0, sizeof(*r));
	if (path == NULL)
		return err->code;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0) {
		if (errno != ENOENT)
			st = err_set(err, PM_IOERR, "%s: %s", path,
				     strerror(errno));
		free(path);
		return st;
	}
	buf = xmalloc(RECORD_MAX + 1);
	n = read(fd, buf, RECORD_MAX);
	(void)close(fd);
	if (n < 0)
		st = err_set(err, PM_IOERR, "%s: %s", path, strerror(errno));
	else {
		buf[n] = '\0';
		st = rec_from_json(buf, path, r, err);
		*found_r = st == PM_OK;
		xwipe(buf, (size_t)n);
	}
	free(buf);
	free(path);
	return st;
}

/* Write json to the file (fsutil_write_atomic: 0600, fsync, rename). */
static enum pm_status
file_save(const struct account *a, const char *json, struct pm_err *err)
{
	char *path = file_path(a, err), *dir;
	enum pm_status st;

	if (path == NULL)
		return err->code;
	dir = xstrdup(path);
	*strrchr(dir, '/') = '\0';
	st = fsutil_mkdirs(dir, err);
	if (st == PM_OK)
		st = fsutil_write_atomic(path, json, strlen(json), err);
	if (st != PM_OK)
		err_prefix(err, "cannot store the token");
	free(dir);
	free(path);
	return st;
}

/* ---- load and save, wherever the record is ------------------------------ */

static enum pm_status
rec_load(const struct account *a, struct rec *r, int *found_r, int *keyring_r,
	 struct pm_err *err)
{
	enum pm_status st = keyring_load(a, r, found_r, keyring_r, err);

	if (st != PM_OK || *found_r)
		return st;
	st = file_load(a, r, found_r, err);
	if (*found_r)
		*keyring_r = 0; /* it stays where popmuch auth put it */
	return st;
}

/* Save to the key ring when one is usable (then a stale file goes), else
 * to the file. */
static enum pm_status
rec_save(const struct account *a, const struct rec *r, int keyring,
	 const char **backend_r, struct pm_err *err)
{
	static __thread char where[512];
	char *json = rec_to_json(r), *path;
	enum pm_status st;

	if (keyring) {
		st = keyring_save(a, json, err);
		if (st == PM_OK && (path = file_path(a, NULL)) != NULL) {
			(void)unlink(path);
			free(path);
		}
		(void)snprintf(where, sizeof(where), "the key ring");
	} else {
		st = file_save(a, json, err);
		path = file_path(a, NULL);
		(void)snprintf(where, sizeof(where), "%s",
			       path != NULL ? path : "the token file");
		free(path);
	}
	xfree_secret(json);
	if (backend_r != NULL)
		*backend_r = where;
	return st;
}

/* ---- the entry points --------------------------------------------------- */

enum pm_status
token_store_grant(const struct account *a, const struct oauth2_tokens *t,
		  const char **backend_r, struct pm_err *err)
{
	struct rec old, r = {0};
	int found, keyring;
	int64_t now = (int64_t)time(NULL);
	enum pm_status st;

	if (t->refresh == NULL)
		return err_set(err, PM_NOPERM,
			       "the provider gave no refresh token, so "
			       "popmuch could not fetch from cron; for "
			       "Microsoft keep offline_access in "
			       "oauth2_scope");
	if (keyring_load(a, &old, &found, &keyring, err) != PM_OK)
		keyring = 1; /* a damaged item is replaced */
	rec_clear(&old);
	r.refresh = t->refresh;
	r.access = t->access;
	r.expires = t->expires_at ? t->expires_at : now + 3600;
	r.obtained = now;
	st = rec_save(a, &r, keyring, backend_r, err);
	return st;
}

static enum pm_status
refresh_now(const struct account *a, struct rec *r, struct pm_err *err)
{
	struct oauth2_client *c = NULL;
	struct oauth2_tokens t;
	enum pm_status st;
	int64_t now = (int64_t)time(NULL);

	if (r->refresh == NULL)
		return err_set(err, PM_NOPERM,
			       "no OAuth2 refresh token; run 'popmuch auth "
			       "%s'",
			       a->name);
	if ((st = oauth2_client_new(a, &c, err)) != PM_OK)
		return st;
	st = oauth2_refresh(c, r->refresh, &t, err);
	oauth2_client_free(&c);
	if (st == PM_NOPERM) {
		char why[PM_ERR_MSG_MAX];

		(void)snprintf(why, sizeof(why), "%s", err->msg);
		return err_set(err, PM_NOPERM, "%s; run 'popmuch auth %s'", why,
			       a->name);
	}
	if (st != PM_OK)
		return st;
	xfree_secret(r->access);
	r->access = t.access;
	t.access = NULL;
	r->expires = t.expires_at ? t.expires_at : now + 3600;
	if (t.refresh != NULL) { /* rotated */
		xfree_secret(r->refresh);
		r->refresh = t.refresh;
		t.refresh = NULL;
		r->obtained = now;
	}
	r->used = now;
	oauth2_tokens_clear(&t);
	return PM_OK;
}

enum pm_status
token_access(const struct account *a, int force_refresh, char **access_r,
	     struct pm_err *err)
{
	struct rec r;
	int found, keyring;
	enum pm_status st;

	*access_r = NULL;
	if ((st = rec_load(a, &r, &found, &keyring, err)) != PM_OK)
		return st;
	if (!found && !bus_present())
		return err_set(err, PM_NOPERM,
			       "no OAuth2 token in the token file, and no "
			       "session bus to ask a key ring (from cron, set "
			       "DBUS_SESSION_BUS_ADDRESS to reach one); run "
			       "'popmuch auth %s'",
			       a->name);
	if (!found && keyring_why[0] != '\0')
		return err_set(err, PM_NOPERM,
			       "no OAuth2 token in a file, and the key ring "
			       "could not be asked (%s); unlock it, or run "
			       "'popmuch auth %s'",
			       keyring_why, a->name);
	if (!found)
		return err_set(err, PM_NOPERM,
			       "no OAuth2 token yet; run 'popmuch auth %s'",
			       a->name);
	if (!force_refresh && r.access != NULL &&
	    r.expires > (int64_t)time(NULL) + TOKEN_EXPIRY_MARGIN) {
		*access_r = r.access;
		r.access = NULL;
		rec_clear(&r);
		return PM_OK;
	}
	log_msg(PM_LOG_INFO, "%s: refreshing the OAuth2 access token", a->name);
	if ((st = refresh_now(a, &r, err)) == PM_OK &&
	    (st = rec_save(a, &r, keyring, NULL, err)) == PM_OK) {
		*access_r = r.access;
		r.access = NULL;
	}
	rec_clear(&r);
	return st;
}

enum pm_status
token_info(const struct account *a, struct token_info *info_r,
	   struct pm_err *err)
{
	struct rec r;
	int found, keyring;
	enum pm_status st;

	memset(info_r, 0, sizeof(*info_r));
	if ((st = rec_load(a, &r, &found, &keyring, err)) != PM_OK)
		return st;
	if (!found)
		return PM_OK;
	info_r->present = 1;
	(void)snprintf(info_r->backend, sizeof(info_r->backend), "%s",
		       keyring ? "key ring" : "file");
	info_r->access_expires = r.access ? r.expires : 0;
	info_r->refresh_obtained = r.obtained;
	info_r->refresh_used = r.used;
	rec_clear(&r);
	return PM_OK;
}
