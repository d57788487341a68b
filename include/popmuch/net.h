/* net.h: TCP connections with timeouts, and GnuTLS sessions.
 *
 * The only module that includes GnuTLS.  Every connect, read, write and
 * handshake is bounded by the connection's timeout; none can hang. */
#ifndef POPMUCH_NET_H
#define POPMUCH_NET_H

#include <stddef.h>
#include <time.h>

#include "popmuch/err.h"

struct net_conn;

struct net_tls_opts {
	int certcheck;		   /* 0 only when "tls_certcheck off" */
	const char *trust_file;	   /* NULL: system trust store */
	const char *fingerprint;   /* SHA-256 (or SHA-1) "AA:BB:..", NULL */
	const char *host_override; /* name to verify instead of host */
	const char *priorities;	   /* GnuTLS priority string, NULL: default */
	const char *cert_file;	   /* client certificate, NULL */
	const char *key_file;
	const char *crl_file;
};

struct net_tls_info {
	char version[32];  /* "TLS1.3" */
	char cipher[128];  /* "AES-256-GCM" ... */
	char subject[512]; /* peer certificate DN */
	char issuer[512];
	time_t not_before;
	time_t not_after;
	char sha256[3 * 32]; /* "AA:BB:...", as tls_fingerprint wants */
	char sha1[3 * 20];
};

/* Resolve host (IPv4 and IPv6) and connect to port, trying each address
 * until one answers, within timeout seconds per address.  source_ip may
 * be NULL.  On success *conn_r is a new connection (net_free()).
 * Returns: PM_OK; PM_CONFIG for port 0 or over 65535 or a bad
 * source_ip; PM_NETWORK when the name does not resolve or no address
 * answers; PM_TIMEOUT when the last address tried timed out. */
enum pm_status net_connect(const char *host, unsigned port, int timeout,
			   const char *source_ip, struct net_conn **conn_r,
			   struct pm_err *err);

/* Run the TLS handshake (client side) on conn, with SNI and hostname
 * check against host (or opts->host_override), TLS 1.2 minimum.  A
 * refused certificate gives PM_CERT and names the reason (expired, not
 * yet valid, unknown issuer, wrong host, pin mismatch) and the SHA-256
 * fingerprint.  With opts->fingerprint set, only the pin is checked.
 * Returns: PM_OK; PM_CERT for a refused certificate; PM_CONFIG when a
 * TLS setting cannot be used (trust file, CRL, client certificate or
 * key, priorities); PM_TLS when the handshake fails; PM_TIMEOUT;
 * PM_NETWORK when the connection breaks; PM_SOFTWARE when TLS is
 * already on. */
enum pm_status net_tls_start(struct net_conn *conn, const char *host,
			     const struct net_tls_opts *opts,
			     struct pm_err *err);

/* Describe the TLS session (after net_tls_start).  Returns 0, or -1 when
 * the connection has no TLS. */
int net_tls_info(struct net_conn *conn, struct net_tls_info *info_r);

/* True when TLS is active. */
int net_is_tls(const struct net_conn *conn);

/* Read at most len bytes (at least 1 unless the peer closed).  *got_r = 0
 * means the peer closed the connection.
 * Returns: PM_OK (also when the peer closed); PM_TIMEOUT after the
 * timeout; PM_NETWORK when the connection breaks; PM_TLS for a TLS
 * record error. */
enum pm_status net_read(struct net_conn *conn, void *buf, size_t len,
			size_t *got_r, struct pm_err *err);

/* Write all len bytes.
 * Returns: PM_OK; PM_TIMEOUT; PM_NETWORK (the peer closed or the
 * connection broke; no SIGPIPE); PM_TLS for a TLS error. */
enum pm_status net_write(struct net_conn *conn, const void *buf, size_t len,
			 struct pm_err *err);

/* True when bytes from the server are waiting unread right now, in
 * GnuTLS's buffer or the kernel's (a poll with no wait).  Never blocks. */
int net_pending(struct net_conn *conn);

/* Close (TLS bye without waiting) and free; NULL is fine; sets *conn NULL. */
void net_free(struct net_conn **conn);

#endif
