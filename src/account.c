/* account.c: the facts about an account that several modules need (see
 * account.h), each worked out here and nowhere else. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "popmuch/account.h"
#include "popmuch/fsutil.h"
#include "popmuch/index.h"
#include "popmuch/xmalloc.h"

int
account_auth_known(const char *name)
{
#define ACCOUNT_AUTH_NAME_STR(n, mech, reveals, client_first, automatic) n,
	static const char *const names[] = {
	    "on", ACCOUNT_AUTH_LIST(ACCOUNT_AUTH_NAME_STR)};
#undef ACCOUNT_AUTH_NAME_STR

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0)
			return 1;
	return 0;
}

char *
account_home(void)
{
	const char *home = getenv("HOME");
	struct passwd pw, *res = NULL;
	char buf[4096];

	if (home != NULL && *home != '\0')
		return xstrdup(home);
	/* getpwuid_r: fetch runs accounts on several threads. */
	if (getpwuid_r(getuid(), &pw, buf, sizeof(buf), &res) != 0 ||
	    res == NULL || pw.pw_dir == NULL || pw.pw_dir[0] == '\0')
		return NULL;
	return xstrdup(pw.pw_dir);
}

char *
account_expand_tilde(const char *s)
{
	char *home, *res;

	if (s[0] != '~' || (s[1] != '\0' && s[1] != '/'))
		return xstrdup(s);
	if ((home = account_home()) == NULL)
		return xstrdup(s);
	res = xasprintf("%s%s", home, s + 1);
	free(home);
	return res;
}

unsigned
account_port(const struct account *a)
{
	if (a->port != 0)
		return a->port;
	return a->tls && !a->tls_starttls ? 995 : 110;
}

char *
account_mailbox_id(const struct account *a)
{
	char *id = xasprintf("%s@%s:%u", a->user ? a->user : "", a->host,
			     account_port(a));

	for (char *s = strrchr(id, '@'); s != NULL && *s != '\0'; s++)
		*s = (char)tolower((unsigned char)*s);
	return id;
}

enum pm_status
account_state_dir(const char *name, char **dir_r, struct pm_err *err)
{
	const char *xdg = getenv("XDG_STATE_HOME");
	char *home;

	*dir_r = NULL;
	if (xdg != NULL && xdg[0] == '/') {
		*dir_r = xasprintf("%s/popmuch/%s", xdg, name);
		return PM_OK;
	}
	if ((home = account_home()) == NULL)
		return err_set(err, PM_CONFIG,
			       "no home directory for the state of account "
			       "%s: set HOME, or XDG_STATE_HOME to an absolute "
			       "path",
			       name);
	*dir_r = xasprintf("%s/.local/state/popmuch/%s", home, name);
	free(home);
	return PM_OK;
}

static enum pm_status
maildir_and_root(const struct account *a, char **path_r, char **root_r,
		 struct pm_err *err)
{
	enum pm_status st;

	*path_r = NULL;
	*root_r = NULL;
	if ((st = index_mail_root(a->notmuch_config, root_r, err)) != PM_OK)
		return st;
	*path_r = a->maildir != NULL ? xstrdup(a->maildir)
				     : xasprintf("%s/%s", *root_r, a->name);
	return PM_OK;
}

enum pm_status
account_maildir_path(const struct account *a, char **path_r, struct pm_err *err)
{
	char *root = NULL;
	enum pm_status st;

	*path_r = NULL;
	if (a->maildir != NULL) {
		*path_r = xstrdup(a->maildir);
		return PM_OK;
	}
	st = maildir_and_root(a, path_r, &root, err);
	free(root);
	return st;
}

enum pm_status
account_maildir(const struct account *a, char **path_r, struct pm_err *err)
{
	char *root = NULL;
	enum pm_status st;

	if ((st = maildir_and_root(a, path_r, &root, err)) != PM_OK)
		return st;
	if (!fsutil_path_inside(*path_r, root))
		st = err_set(err, PM_CONFIG,
			     "the Maildir %s is outside notmuch's mail root "
			     "%s; move it inside, or point mail_root (or "
			     "database.path, or 'notmuch_config') elsewhere",
			     *path_r, root);
	free(root);
	if (st != PM_OK) {
		free(*path_r);
		*path_r = NULL;
	}
	return st;
}
