/* connect.c: from an account's settings to a POP3 session with its
 * capabilities read, before login (see connect.h). */
#include "config.h"

#include <string.h>

#include "popmuch/account.h"
#include "popmuch/connect.h"
#include "popmuch/net.h"
#include "popmuch/pop3.h"

static void
tls_opts(const struct account *a, struct net_tls_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->certcheck = a->tls_certcheck;
	o->trust_file = a->tls_trust_file;
	o->fingerprint = a->tls_fingerprint;
	o->host_override = a->tls_host_override;
	o->priorities = a->tls_priorities;
	o->cert_file = a->tls_cert_file;
	o->key_file = a->tls_key_file;
	o->crl_file = a->tls_crl_file;
}

enum pm_status
connect_account(const struct account *a, struct pop3 **p_r, struct pm_err *err)
{
	struct net_tls_opts tls;
	struct net_conn *conn;
	enum pm_status st;

	*p_r = NULL;
	tls_opts(a, &tls);
	st = net_connect(a->host, account_port(a), a->timeout, a->source_ip,
			 &conn, err);
	if (st != PM_OK)
		return st;
	if (a->tls && !a->tls_starttls &&
	    (st = net_tls_start(conn, a->host, &tls, err)) != PM_OK) {
		net_free(&conn);
		return st;
	}
	if ((st = pop3_open(conn, a->timeout, p_r, err)) != PM_OK)
		return st;
	if ((st = pop3_capa(*p_r, err)) != PM_OK)
		return st;
	if (a->tls && a->tls_starttls) {
		if (!pop3_caps(*p_r)->stls)
			return err_set(err, PM_UNAVAILABLE,
				       "the server does not offer STLS, so "
				       "TLS cannot start; nothing was sent "
				       "(use port 995 with 'tls_starttls "
				       "off', or 'tls off' at your own risk)");
		if ((st = pop3_stls(*p_r, a->host, &tls, err)) != PM_OK)
			return st;
	}
	if (a->pipelining != CFG_AUTO)
		pop3_set_pipelining(*p_r, a->pipelining == CFG_ON);
	return PM_OK;
}
