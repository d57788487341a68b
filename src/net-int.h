/* net-int.h: what net.c and net-cert.c share: the certificate checks
 * and descriptions a TLS session needs.  Not an interface for other
 * modules: everything outside goes through net.h.  These two files are
 * the only ones with GnuTLS. */
#ifndef POPMUCH_NET_INT_H
#define POPMUCH_NET_INT_H

#include <gnutls/gnutls.h>

#include "popmuch/err.h"
#include "popmuch/net.h"

/* After the handshake of session s with the server name: nothing when
 * o->certcheck is off; else the pin o->fingerprint (SHA-256 or SHA-1)
 * when set, else the chain against the trust store and name.  err
 * names every reason and the SHA-256 fingerprint.
 * Returns: PM_OK; PM_CERT when the server sent no certificate, or it is
 * refused; PM_CONFIG when tls_fingerprint is not a fingerprint. */
enum pm_status net_cert_check(gnutls_session_t s, const char *name,
			      const struct net_tls_opts *o, struct pm_err *err);

/* The fingerprints, subject, issuer (escaped) and validity of the
 * certificate der into info (the fields net_tls_info() leaves to it). */
void net_cert_info(const gnutls_datum_t *der, struct net_tls_info *info);

#endif
