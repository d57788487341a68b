/* setup.c: the core of "popmuch setup" (see setup.h): where the server
 * is, and writing the first configuration files. */
#include "config.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "popmuch/account.h"
#include "popmuch/config.h"
#include "popmuch/fsutil.h"
#include "popmuch/setup.h"
#include "popmuch/xmalloc.h"

/* clang-format off */
/* Providers that offer POP3 (their published settings), all implicit TLS
 * on 995.  Providers without POP3 (iCloud, Proton) are not listed. */
static const struct {
	const char *domains; /* space-separated */
	const char *host;
	const char *oauth2; /* the oauth2_provider it takes logins from */
} providers[] = {
	{"gmail.com googlemail.com", "pop.gmail.com", "google"},
	{"outlook.com hotmail.com live.com msn.com", "outlook.office365.com",
	 "microsoft"},
	{"yahoo.com", "pop.mail.yahoo.com", NULL},
	{"aol.com", "pop.aol.com", NULL},
	{"gmx.de gmx.net gmx.at gmx.ch", "pop.gmx.net", NULL},
	{"gmx.com", "pop.gmx.com", NULL},
	{"web.de", "pop3.web.de", NULL},
	{"posteo.de posteo.net", "posteo.de", NULL},
	{"mailbox.org", "pop3.mailbox.org", NULL},
	{"t-online.de", "securepop.t-online.de", NULL},
	{"fastmail.com fastmail.fm", "pop.fastmail.com", NULL},
	{"zoho.com", "pop.zoho.com", NULL},
	{"yandex.ru yandex.com", "pop.yandex.com", NULL},
	{"mail.ru", "pop.mail.ru", NULL},
};
/* clang-format on */

const char *
setup_domain(const char *address)
{
	const char *at = strrchr(address, '@');

	return at != NULL && at != address && at[1] != '\0' ? at + 1 : NULL;
}

/* Whether word is one of the space-separated words of list, without
 * case. */
static int
in_list(const char *list, const char *word)
{
	size_t n = strlen(word), len;

	for (; *list != '\0'; list += len + (list[len] == ' ')) {
		len = strcspn(list, " ");
		if (len == n && strncasecmp(list, word, n) == 0)
			return 1;
	}
	return 0;
}

int
setup_provider(const char *domain, struct setup_server *srv)
{
	size_t i;

	for (i = 0; i < sizeof(providers) / sizeof(providers[0]); i++) {
		if (!in_list(providers[i].domains, domain))
			continue;
		(void)snprintf(srv->host, sizeof(srv->host), "%s",
			       providers[i].host);
		srv->port = 995;
		srv->implicit_tls = 1;
		srv->how = "the provider table";
		srv->oauth2 = providers[i].oauth2;
		return 1;
	}
	return 0;
}

/* ---- DNS SRV (RFC 2782, RFC 6186) -------------------------------------- */

#ifdef POPMUCH_FAULT_INJECTION
/* Tests only: $POPMUCH_TEST_DNS ("127.0.0.1:PORT") is the one name
 * server asked, so that a test can answer with its own records. */
static void
test_resolver(res_state rs)
{
	const char *spec = getenv("POPMUCH_TEST_DNS");
	const char *colon = spec != NULL ? strchr(spec, ':') : NULL;
	char ip[64];

	if (colon == NULL || (size_t)(colon - spec) >= sizeof(ip))
		return;
	memcpy(ip, spec, (size_t)(colon - spec));
	ip[colon - spec] = '\0';
	rs->nsaddr_list[0].sin_family = AF_INET;
	rs->nsaddr_list[0].sin_port = htons((uint16_t)atoi(colon + 1));
	if (inet_pton(AF_INET, ip, &rs->nsaddr_list[0].sin_addr) == 1)
		rs->nscount = 1;
	rs->retry = 1;
	rs->retrans = 2;
}
#endif

/* The best SRV record of name into srv; 0, or -1 when there is none. */
static int
srv_query(res_state rs, const char *name, struct setup_server *srv)
{
	unsigned char ans[4096];
	const unsigned char *rd;
	int len, i, best_prio = 65536, best_weight = -1, prio, weight;
	ns_msg msg;
	ns_rr rr;
	char target[NS_MAXDNAME];

	len = res_nquery(rs, name, ns_c_in, ns_t_srv, ans, sizeof(ans));
	if (len < 0 || ns_initparse(ans, len, &msg) != 0)
		return -1;
	for (i = 0; i < ns_msg_count(msg, ns_s_an); i++) {
		if (ns_parserr(&msg, ns_s_an, i, &rr) != 0 ||
		    ns_rr_type(rr) != ns_t_srv || ns_rr_rdlen(rr) < 7)
			continue;
		rd = ns_rr_rdata(rr);
		prio = rd[0] << 8 | rd[1];
		weight = rd[2] << 8 | rd[3];
		if (prio > best_prio ||
		    (prio == best_prio && weight <= best_weight))
			continue;
		if (dn_expand(ns_msg_base(msg), ns_msg_end(msg), rd + 6, target,
			      sizeof(target)) < 0 ||
		    strlen(target) >= sizeof(srv->host))
			continue;
		best_prio = prio;
		best_weight = weight;
		srv->port = (unsigned)(rd[4] << 8 | rd[5]);
		(void)snprintf(srv->host, sizeof(srv->host), "%s", target);
	}
	/* "." (an empty name here) says the service is not offered */
	return best_weight >= 0 && srv->host[0] != '\0' && srv->port != 0 ? 0
									  : -1;
}

enum pm_status
setup_srv_lookup(const char *domain, struct setup_server *srv,
		 struct pm_err *err)
{
	struct __res_state rs;
	char name[NS_MAXDNAME];
	int tls, found = -1;

	memset(&rs, 0, sizeof(rs));
	if (res_ninit(&rs) != 0)
		return err_set(err, PM_UNAVAILABLE, "cannot set up DNS");
#ifdef POPMUCH_FAULT_INJECTION
	test_resolver(&rs);
#endif
	for (tls = 1; tls >= 0 && found != 0; tls--) {
		(void)snprintf(name, sizeof(name), "_%s._tcp.%s",
			       tls ? "pop3s" : "pop3", domain);
		memset(srv, 0, sizeof(*srv));
		found = srv_query(&rs, name, srv);
		srv->implicit_tls = tls;
		srv->how =
		    tls ? "DNS (SRV _pop3s._tcp)" : "DNS (SRV _pop3._tcp)";
	}
	res_nclose(&rs);
	if (found != 0)
		return err_set(err, PM_UNAVAILABLE,
			       "no SRV record _pop3s._tcp.%s or _pop3._tcp.%s",
			       domain, domain);
	return PM_OK;
}

/* ---- files ------------------------------------------------------------- */

enum pm_status
setup_write_new(const char *path, const char *text, struct pm_err *err)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/'), *tmp;
	size_t len = strlen(text);
	enum pm_status st = PM_OK;
	int fd;

	if (slash != NULL && slash != dir) {
		*slash = '\0';
		st = fsutil_mkdirs(dir, err);
	}
	free(dir);
	if (st != PM_OK)
		return st;
	if (access(path, F_OK) == 0)
		return err_set(err, PM_CANTCREAT,
			       "%s already exists; popmuch setup never "
			       "replaces a file (move it away, or give -C "
			       "another)",
			       path);
	tmp = xasprintf("%s.setup-tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len || fsync(fd) != 0 ||
	    close(fd) != 0 || link(tmp, path) != 0) {
		st =
		    err_set(err, PM_CANTCREAT, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			(void)close(fd);
	}
	/* link(), not rename(): a file that appeared meanwhile stays */
	(void)unlink(tmp);
	if (st == PM_OK)
		(void)fsutil_fsync_parent(path);
	free(tmp);
	return st;
}

char *
setup_notmuch_config(const char *mail_root, const char *name,
		     const char *address)
{
	return xasprintf("# .notmuch-config, written by popmuch setup as "
			 "notmuch setup would.\n"
			 "[database]\npath=%s\n\n"
			 "[user]\nname=%s\nprimary_email=%s\n\n"
			 "[new]\ntags=unread;inbox;\nignore=\n\n"
			 "[search]\nexclude_tags=deleted;spam;\n\n"
			 "[maildir]\nsynchronize_flags=true\n",
			 mail_root, name, address);
}

char *
setup_notmuch_config_path(void)
{
	const char *env = getenv("NOTMUCH_CONFIG");

	if (env != NULL && *env != '\0')
		return xstrdup(env);
	return account_expand_tilde("~/.notmuch-config");
}
