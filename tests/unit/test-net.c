/* test-net.c: net.c against servers in threads of this process.
 *
 * Plain TCP servers (echo, silent, closing) and GnuTLS servers with a CA
 * and certificates generated at run time.  Nothing outside 127.0.0.1 and
 * ::1 is used. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "popmuch/err.h"
#include "popmuch/net.h"
#include "tap.h"

#define SRV_WAIT_MS 10000
#define DAY (24 * 3600)

enum srv_mode { SRV_ECHO, SRV_SILENT, SRV_CLOSE, SRV_TLS };

struct server {
	int family;
	int lfd;
	unsigned port;
	enum srv_mode mode;
	gnutls_x509_crt_t crt; /* SRV_TLS */
	gnutls_x509_privkey_t key;
	const char *prio; /* NULL: "NORMAL" */
	int want_client_cert;
	int hs_ret; /* results, read after the join */
	int client_cert_seen;
	pthread_t thr;
};

static struct {
	gnutls_x509_privkey_t ca_key, key;
	gnutls_x509_crt_t ca, good, expired, other, self;
	char dir[64], ca_file[96], cert_file[96], key_file[96];
	char good_sha256[96];
	char good_sha1[60];
} pki;

/* ---- helpers ----------------------------------------------------------- */

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
wait_in(int fd)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};

	return poll(&pfd, 1, SRV_WAIT_MS) == 1;
}

static void
die(const char *what, int r)
{
	fprintf(stderr, "test-net: %s: %s\n", what, gnutls_strerror(r));
	exit(99);
}

static void
check(int r, const char *what)
{
	if (r < 0)
		die(what, r);
}

static void
hex(const unsigned char *md, size_t n, char *out, int upper)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 3 * i, upper ? "%02X%s" : "%02x%s", md[i],
			i + 1 < n ? ":" : "");
}

static void
crt_fingerprint(gnutls_x509_crt_t crt, gnutls_digest_algorithm_t algo,
		char *out, int upper)
{
	unsigned char md[64];
	size_t n = sizeof(md);

	check(gnutls_x509_crt_get_fingerprint(crt, algo, md, &n), "fpr");
	hex(md, n, out, upper);
}

/* ---- certificates ---------------------------------------------------- */

static gnutls_x509_privkey_t
new_key(void)
{
	gnutls_x509_privkey_t key;

	check(gnutls_x509_privkey_init(&key), "key init");
	check(gnutls_x509_privkey_generate(
		  key, GNUTLS_PK_ECDSA,
		  GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0),
	      "keygen");
	return key;
}

/* A certificate for cn (and SAN dns + 127.0.0.1 when dns is set), valid
 * from now+from to now+until, signed by issuer (NULL: self-signed). */
static gnutls_x509_crt_t
new_cert(gnutls_x509_privkey_t key, const char *cn, const char *dns, long from,
	 long until, gnutls_x509_crt_t issuer, gnutls_x509_privkey_t issuer_key,
	 int is_ca, unsigned char serial)
{
	static const unsigned char lo[4] = {127, 0, 0, 1};
	gnutls_x509_crt_t crt;
	time_t now = time(NULL);
	char dn[128];

	check(gnutls_x509_crt_init(&crt), "crt init");
	check(gnutls_x509_crt_set_version(crt, 3), "version");
	check(gnutls_x509_crt_set_serial(crt, &serial, 1), "serial");
	check(gnutls_x509_crt_set_activation_time(crt, now + from), "from");
	check(gnutls_x509_crt_set_expiration_time(crt, now + until), "until");
	snprintf(dn, sizeof(dn), "O=popmuch test,CN=%s", cn);
	check(gnutls_x509_crt_set_dn(crt, dn, NULL), "dn");
	check(gnutls_x509_crt_set_key(crt, key), "set key");
	check(gnutls_x509_crt_set_basic_constraints(crt, is_ca, -1), "bc");
	check(gnutls_x509_crt_set_key_usage(
		  crt, is_ca ? GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN
			     : GNUTLS_KEY_DIGITAL_SIGNATURE),
	      "usage");
	if (dns != NULL) {
		check(gnutls_x509_crt_set_subject_alt_name(
			  crt, GNUTLS_SAN_DNSNAME, dns, strlen(dns),
			  GNUTLS_FSAN_APPEND),
		      "san dns");
		check(gnutls_x509_crt_set_subject_alt_name(
			  crt, GNUTLS_SAN_IPADDRESS, lo, sizeof(lo),
			  GNUTLS_FSAN_APPEND),
		      "san ip");
	}
	check(gnutls_x509_crt_sign2(crt, issuer ? issuer : crt,
				    issuer_key ? issuer_key : key,
				    GNUTLS_DIG_SHA256, 0),
	      "sign");
	return crt;
}

static void
write_pem(const char *path, const gnutls_datum_t *d)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || fwrite(d->data, 1, d->size, f) != d->size ||
	    fclose(f) != 0) {
		perror(path);
		exit(99);
	}
}

static void
pki_files(void)
{
	gnutls_datum_t d;

	snprintf(pki.ca_file, sizeof(pki.ca_file), "%s/ca.pem", pki.dir);
	snprintf(pki.cert_file, sizeof(pki.cert_file), "%s/crt.pem", pki.dir);
	snprintf(pki.key_file, sizeof(pki.key_file), "%s/key.pem", pki.dir);
	check(gnutls_x509_crt_export2(pki.ca, GNUTLS_X509_FMT_PEM, &d), "ex");
	write_pem(pki.ca_file, &d);
	gnutls_free(d.data);
	check(gnutls_x509_crt_export2(pki.good, GNUTLS_X509_FMT_PEM, &d), "ex");
	write_pem(pki.cert_file, &d);
	gnutls_free(d.data);
	check(gnutls_x509_privkey_export2(pki.key, GNUTLS_X509_FMT_PEM, &d),
	      "ex");
	write_pem(pki.key_file, &d);
	gnutls_free(d.data);
}

static void
pki_setup(void)
{
	snprintf(pki.dir, sizeof(pki.dir), "/tmp/test-net.XXXXXX");
	if (mkdtemp(pki.dir) == NULL) {
		perror("mkdtemp");
		exit(99);
	}
	pki.ca_key = new_key();
	pki.key = new_key();
	pki.ca = new_cert(pki.ca_key, "popmuch test CA", NULL, -3 * DAY,
			  30 * DAY, NULL, NULL, 1, 1);
	pki.good = new_cert(pki.key, "localhost", "localhost", -3600, DAY,
			    pki.ca, pki.ca_key, 0, 2);
	pki.expired = new_cert(pki.key, "localhost", "localhost", -2 * DAY,
			       -DAY, pki.ca, pki.ca_key, 0, 3);
	pki.other = new_cert(pki.key, "other.example", "other.example", -3600,
			     DAY, pki.ca, pki.ca_key, 0, 4);
	pki.self = new_cert(pki.key, "localhost", "localhost", -3600, DAY, NULL,
			    NULL, 0, 5);
	crt_fingerprint(pki.good, GNUTLS_DIG_SHA256, pki.good_sha256, 1);
	crt_fingerprint(pki.good, GNUTLS_DIG_SHA1, pki.good_sha1, 1);
	pki_files();
}

static void
pki_teardown(void)
{
	unlink(pki.ca_file);
	unlink(pki.cert_file);
	unlink(pki.key_file);
	rmdir(pki.dir);
	gnutls_x509_crt_deinit(pki.ca);
	gnutls_x509_crt_deinit(pki.good);
	gnutls_x509_crt_deinit(pki.expired);
	gnutls_x509_crt_deinit(pki.other);
	gnutls_x509_crt_deinit(pki.self);
	gnutls_x509_privkey_deinit(pki.ca_key);
	gnutls_x509_privkey_deinit(pki.key);
}

/* ---- servers ------------------------------------------------------------ */

static void
plain_serve(struct server *s, int fd)
{
	char buf[4096];
	ssize_t n;

	while (wait_in(fd) && (n = recv(fd, buf, sizeof(buf), 0)) > 0)
		if (s->mode == SRV_ECHO &&
		    send(fd, buf, (size_t)n, MSG_NOSIGNAL) != n)
			break;
}

static void
tls_echo(gnutls_session_t ses)
{
	char buf[16384];
	ssize_t n;

	gnutls_record_set_timeout(ses, SRV_WAIT_MS);
	while ((n = gnutls_record_recv(ses, buf, sizeof(buf))) > 0)
		if (gnutls_record_send(ses, buf, (size_t)n) != n)
			break;
}

static void
tls_serve(struct server *s, int fd)
{
	gnutls_certificate_credentials_t cred;
	gnutls_session_t ses;
	unsigned n = 0;

	check(gnutls_certificate_allocate_credentials(&cred), "cred");
	check(gnutls_certificate_set_x509_key(cred, &s->crt, 1, s->key),
	      "server key");
	check(gnutls_init(&ses, GNUTLS_SERVER | GNUTLS_NO_SIGNAL), "init");
	check(
	    gnutls_priority_set_direct(ses, s->prio ? s->prio : "NORMAL", NULL),
	    "server priority");
	check(gnutls_credentials_set(ses, GNUTLS_CRD_CERTIFICATE, cred),
	      "credentials");
	if (s->want_client_cert)
		gnutls_certificate_server_set_request(ses, GNUTLS_CERT_REQUIRE);
	gnutls_transport_set_int(ses, fd);
	gnutls_handshake_set_timeout(ses, SRV_WAIT_MS);
	do
		s->hs_ret = gnutls_handshake(ses);
	while (s->hs_ret < 0 && !gnutls_error_is_fatal(s->hs_ret));
	if (s->hs_ret == 0) {
		s->client_cert_seen =
		    gnutls_certificate_get_peers(ses, &n) != NULL && n > 0;
		tls_echo(ses);
	}
	gnutls_deinit(ses);
	gnutls_certificate_free_credentials(cred);
}

static void *
server_main(void *arg)
{
	struct server *s = arg;
	int fd;

	if (!wait_in(s->lfd))
		return NULL;
	fd = accept(s->lfd, NULL, NULL);
	if (fd < 0)
		return NULL;
	if (s->mode == SRV_TLS)
		tls_serve(s, fd);
	else if (s->mode != SRV_CLOSE)
		plain_serve(s, fd);
	close(fd);
	return NULL;
}

/* Listen on the loopback address of family; 0 when that is impossible. */
static int
server_listen(struct server *s, int family)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;

	memset(&ss, 0, sizeof(ss));
	ss.ss_family = (sa_family_t)family;
	if (family == AF_INET) {
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*sin);
	} else {
		sin6->sin6_addr = in6addr_loopback;
		len = sizeof(*sin6);
	}
	s->lfd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s->lfd < 0)
		return 0;
	if (bind(s->lfd, (struct sockaddr *)&ss, len) < 0 ||
	    listen(s->lfd, 4) < 0 ||
	    getsockname(s->lfd, (struct sockaddr *)&ss, &len) < 0) {
		close(s->lfd);
		return 0;
	}
	s->port = ntohs(family == AF_INET ? sin->sin_port : sin6->sin6_port);
	return 1;
}

static void
server_start(struct server *s, int family, enum srv_mode mode)
{
	s->mode = mode;
	s->hs_ret = 1;
	if (!server_listen(s, family)) {
		perror("listen");
		exit(99);
	}
	if (pthread_create(&s->thr, NULL, server_main, s) != 0)
		exit(99);
}

static void
tls_server_cc(struct server *s, gnutls_x509_crt_t crt, const char *prio,
	      int want_client_cert)
{
	memset(s, 0, sizeof(*s));
	s->crt = crt;
	s->key = pki.key;
	s->prio = prio;
	s->want_client_cert = want_client_cert;
	server_start(s, AF_INET, SRV_TLS);
}

static void
tls_server(struct server *s, gnutls_x509_crt_t crt, const char *prio)
{
	tls_server_cc(s, crt, prio, 0);
}

static void
server_stop(struct server *s)
{
	pthread_join(s->thr, NULL);
	close(s->lfd);
}

/* ---- client helpers ------------------------------------------------ */

static enum pm_status
read_n(struct net_conn *c, char *buf, size_t n, struct pm_err *err)
{
	size_t got, have = 0;
	enum pm_status st;

	while (have < n) {
		st = net_read(c, buf + have, n - have, &got, err);
		if (st != PM_OK)
			return st;
		if (got == 0)
			return PM_PROTOCOL;
		have += got;
	}
	return PM_OK;
}

static int
contains(const char *hay, const char *needle)
{
	return strstr(hay, needle) != NULL;
}

static struct net_tls_opts
trusting(void)
{
	struct net_tls_opts o = {.certcheck = 1, .trust_file = pki.ca_file};

	return o;
}

/* Connect to a TLS server on 127.0.0.1 and run the handshake as host. */
static enum pm_status
tls_try(struct server *s, const char *host, const struct net_tls_opts *o,
	struct net_conn **c, struct pm_err *err)
{
	enum pm_status st;

	st = net_connect("127.0.0.1", s->port, 5, NULL, c, err);
	if (st != PM_OK)
		return st;
	return net_tls_start(*c, host, o, err);
}

/* One TLS handshake against a server with crt; the status, err filled. */
static enum pm_status
tls_case(gnutls_x509_crt_t crt, const char *host, const struct net_tls_opts *o,
	 struct pm_err *err)
{
	struct server s;
	struct net_conn *c = NULL;
	enum pm_status st;

	tls_server(&s, crt, NULL);
	st = tls_try(&s, host, o, &c, err);
	net_free(&c);
	server_stop(&s);
	return st;
}

/* ---- plain TCP ------------------------------------------------------- */

static void
echo_case(int family, const char *host, const char *what)
{
	struct server s;
	struct net_conn *c = NULL;
	struct pm_err err;
	char buf[8];

	memset(&s, 0, sizeof(s));
	server_start(&s, family, SRV_ECHO);
	is_int(net_connect(host, s.port, 5, NULL, &c, &err), PM_OK,
	       "%s: connect", what);
	if (c != NULL) {
		ok(!net_is_tls(c), "%s: not TLS", what);
		is_int(net_write(c, "hello\r\n", 7, &err), PM_OK, "%s: write",
		       what);
		is_int(read_n(c, buf, 7, &err), PM_OK, "%s: read", what);
		is_mem(buf, 7, "hello\r\n", 7, "%s: echoed", what);
	}
	net_free(&c);
	ok(c == NULL, "%s: net_free sets NULL", what);
	server_stop(&s);
}

static void
test_plain(void)
{
	struct server s;
	struct net_tls_info info;
	struct net_conn *c = NULL;
	struct pm_err err;

	echo_case(AF_INET, "127.0.0.1", "IPv4 echo");
	echo_case(AF_INET, "localhost", "by name");
	memset(&s, 0, sizeof(s));
	if (server_listen(&s, AF_INET6)) {
		close(s.lfd);
		echo_case(AF_INET6, "::1", "IPv6 echo");
	} else {
		diag("::1 cannot be bound: IPv6 case skipped");
	}
	memset(&s, 0, sizeof(s));
	server_start(&s, AF_INET, SRV_ECHO);
	is_int(net_connect("127.0.0.1", s.port, 5, "127.0.0.1", &c, &err),
	       PM_OK, "connect with source_ip");
	is_int(net_tls_info(c, &info), -1, "no TLS info on plain conn");
	net_free(&c);
	server_stop(&s);
	is_int(net_connect("127.0.0.1", 110, 5, "::1", &c, &err), PM_NETWORK,
	       "source_ip of another family: PM_NETWORK");
	ok(contains(err.msg, "family"), "says family: %s", err.msg);
	is_int(net_connect("127.0.0.1", 110, 5, "not-an-ip", &c, &err),
	       PM_CONFIG, "bad source_ip is a config error");
	is_int(net_connect("127.0.0.1", 0, 5, NULL, &c, &err), PM_CONFIG,
	       "port 0 refused");
	ok(c == NULL, "no connection after failure");
	net_free(NULL);
}

static void
test_refused(void)
{
	struct server s;
	struct net_conn *c = NULL;
	struct pm_err err;
	double t0;
	unsigned port;

	memset(&s, 0, sizeof(s));
	if (!server_listen(&s, AF_INET))
		exit(99);
	port = s.port;
	close(s.lfd); /* nothing listens there now */
	t0 = now_s();
	is_int(net_connect("127.0.0.1", port, 5, NULL, &c, &err), PM_NETWORK,
	       "connect to closed port: PM_NETWORK");
	ok(now_s() - t0 < 2.0, "refused quickly (%.2fs)", now_s() - t0);
	ok(contains(err.msg, "refused") && contains(err.msg, "127.0.0.1"),
	   "message names the reason and address: %s", err.msg);
	ok(c == NULL, "no connection");
	is_int(net_connect("no-such-host.invalid", 110, 5, NULL, &c, &err),
	       PM_NETWORK, "unresolvable host: PM_NETWORK");
}

/* A listener with a full backlog drops SYNs: connect must time out.  Where
 * the kernel answers anyway (some sandboxes), the case is skipped. */
static void
test_connect_timeout(void)
{
	struct net_conn *c[16] = {NULL};
	struct server s;
	struct pm_err err;
	enum pm_status st = PM_OK;
	double t0 = 0, dt;
	int i, n;

	memset(&s, 0, sizeof(s));
	if (!server_listen(&s, AF_INET) || listen(s.lfd, 0) < 0)
		exit(99);
	for (n = 0; n < 16 && st == PM_OK; n++) {
		t0 = now_s();
		st = net_connect("127.0.0.1", s.port, 1, NULL, &c[n], &err);
	}
	dt = now_s() - t0;
	if (st == PM_OK) {
		diag("full backlog still accepts here: connect timeout "
		     "case skipped");
	} else {
		is_int(st, PM_TIMEOUT, "full backlog: connect times out (%s)",
		       err.msg);
		ok(dt >= 0.9 && dt < 3.0, "connect timeout after %.2fs", dt);
	}
	for (i = 0; i < n; i++)
		net_free(&c[i]);
	close(s.lfd);
}

/* A server that accepts and never sends: reads and handshakes time out. */
static void
test_timeouts(void)
{
	struct net_tls_opts o = trusting();
	struct server s;
	struct net_conn *c = NULL;
	struct pm_err err;
	size_t got = 99;
	char buf[16];
	double t0, dt;

	memset(&s, 0, sizeof(s));
	server_start(&s, AF_INET, SRV_SILENT);
	is_int(net_connect("127.0.0.1", s.port, 1, NULL, &c, &err), PM_OK,
	       "silent server: connect");
	t0 = now_s();
	is_int(net_read(c, buf, sizeof(buf), &got, &err), PM_TIMEOUT,
	       "silent server: read times out");
	dt = now_s() - t0;
	ok(dt >= 0.9 && dt < 3.0, "read timeout after %.2fs", dt);
	ok(contains(err.msg, "timeout after 1 seconds reading"),
	   "timeout message: %s", err.msg);
	is_int(got, 0, "nothing read");
	net_free(&c);
	server_stop(&s);

	memset(&s, 0, sizeof(s));
	server_start(&s, AF_INET, SRV_SILENT);
	is_int(net_connect("127.0.0.1", s.port, 1, NULL, &c, &err), PM_OK,
	       "silent TLS server: connect");
	t0 = now_s();
	is_int(net_tls_start(c, "localhost", &o, &err), PM_TIMEOUT,
	       "handshake with a silent server times out");
	dt = now_s() - t0;
	ok(dt >= 0.9 && dt < 3.0, "handshake timeout after %.2fs", dt);
	ok(!net_is_tls(c), "no TLS after a failed handshake");
	is_int(net_write(c, "x", 1, &err), PM_NETWORK,
	       "no plaintext after a failed handshake");
	net_free(&c);
	server_stop(&s);
}

/* The peer closes: read sees 0, writes fail without SIGPIPE. */
static void
test_peer_close(void)
{
	struct server s;
	struct net_conn *c = NULL;
	struct pm_err err;
	enum pm_status st = PM_OK;
	size_t got = 99;
	char buf[1024];
	double t0;

	memset(&s, 0, sizeof(s));
	memset(buf, 'x', sizeof(buf));
	server_start(&s, AF_INET, SRV_CLOSE);
	is_int(net_connect("127.0.0.1", s.port, 2, NULL, &c, &err), PM_OK,
	       "closing server: connect");
	is_int(net_read(c, buf, sizeof(buf), &got, &err), PM_OK,
	       "orderly close: read OK");
	is_int(got, 0, "orderly close: 0 bytes");
	t0 = now_s();
	while (st == PM_OK && now_s() - t0 < 5.0)
		st = net_write(c, buf, sizeof(buf), &err);
	is_int(st, PM_NETWORK,
	       "write to a closed peer: PM_NETWORK, no "
	       "SIGPIPE (%s)",
	       err.msg);
	net_free(&c);
	server_stop(&s);
}

/* ---- TLS --------------------------------------------------------------- */

static void
tls_info_checks(struct net_conn *c)
{
	struct net_tls_info info;
	char want[96];

	is_int(net_tls_info(c, &info), 0, "TLS info available");
	ok(strncmp(info.version, "TLS1.", 5) == 0, "version %s", info.version);
	ok(info.cipher[0] != '\0', "cipher %s", info.cipher);
	is_int(strlen(info.sha256), 95, "SHA-256 fingerprint length");
	is_str(info.sha256, pki.good_sha256, "SHA-256 fingerprint value");
	is_int(strlen(info.sha1), 59, "SHA-1 fingerprint length");
	is_str(info.sha1, pki.good_sha1, "SHA-1 fingerprint value");
	ok(contains(info.subject, "CN=localhost"), "subject %s", info.subject);
	ok(contains(info.issuer, "CN=popmuch test CA"), "issuer %s",
	   info.issuer);
	ok(info.not_before < time(NULL) && info.not_after > time(NULL),
	   "validity dates");
	crt_fingerprint(pki.good, GNUTLS_DIG_SHA256, want, 1);
	is_str(info.sha256, want, "fingerprint matches the certificate");
}

/* Six bytes come back in one record: the second 3-byte read must be
 * served from GnuTLS's buffer, not wait for the (silent) network. */
static void
tls_buffered(struct net_conn *c)
{
	struct pm_err err;
	char buf[8];
	size_t got = 0;
	double t0;

	is_int(net_write(c, "abcdef", 6, &err), PM_OK, "TLS write");
	is_int(read_n(c, buf, 3, &err), PM_OK, "TLS read first half");
	t0 = now_s();
	is_int(net_read(c, buf + 3, 3, &got, &err), PM_OK,
	       "TLS read buffered half");
	ok(now_s() - t0 < 0.5 && got == 3, "buffered bytes without waiting");
	is_mem(buf, 6, "abcdef", 6, "TLS echo");
}

static void
tls_bulk(struct net_conn *c)
{
	static char out[65536], in[65536];
	struct pm_err err;
	int i, good = 1;

	for (i = 0; i < (int)sizeof(out); i++)
		out[i] = (char)(i * 7 + 3);
	for (i = 0; i < 8 && good; i++) {
		good = net_write(c, out, sizeof(out), &err) == PM_OK &&
		       read_n(c, in, sizeof(in), &err) == PM_OK &&
		       memcmp(in, out, sizeof(in)) == 0;
	}
	ok(good, "512 KiB through TLS and back");
}

static void
test_tls_ok(void)
{
	struct net_tls_opts o = trusting();
	struct server s;
	struct net_conn *c = NULL;
	struct pm_err err;

	tls_server(&s, pki.good, NULL);
	is_int(tls_try(&s, "localhost", &o, &c, &err), PM_OK,
	       "TLS with the test CA as trust file: %s", err.msg);
	ok(net_is_tls(c), "TLS is on");
	if (net_is_tls(c)) {
		tls_info_checks(c);
		tls_buffered(c);
		tls_bulk(c);
	}
	net_free(&c);
	server_stop(&s);
	is_int(tls_case(pki.good, "127.0.0.1", &o, &err), PM_OK,
	       "IP literal checked against the IP address SAN: %s", err.msg);
	o.host_override = "other.example";
	is_int(tls_case(pki.other, "127.0.0.1", &o, &err), PM_OK,
	       "host_override names the certificate's host: %s", err.msg);
}

static void
test_tls_refused(void)
{
	struct net_tls_opts o = trusting();
	struct pm_err err;

	o.trust_file = NULL;
	is_int(tls_case(pki.good, "localhost", &o, &err), PM_CERT,
	       "unknown issuer: PM_CERT");
	ok(contains(err.msg, "issuer is unknown"), "says unknown issuer: %s",
	   err.msg);
	ok(contains(err.msg, "SHA-256 fingerprint: ") &&
	       contains(err.msg, pki.good_sha256),
	   "message has the SHA-256 fingerprint");
	is_int(tls_case(pki.self, "localhost", &o, &err), PM_CERT,
	       "self-signed: PM_CERT");
	ok(contains(err.msg, "self-signed"), "says self-signed: %s", err.msg);
	o = trusting();
	is_int(tls_case(pki.expired, "localhost", &o, &err), PM_CERT,
	       "expired: PM_CERT");
	ok(contains(err.msg, "expired"), "says expired: %s", err.msg);
	is_int(tls_case(pki.other, "localhost", &o, &err), PM_CERT,
	       "wrong host: PM_CERT");
	ok(contains(err.msg, "host name localhost"), "says wrong host: %s",
	   err.msg);
	o.trust_file = "/nonexistent/ca.pem";
	is_int(tls_case(pki.good, "localhost", &o, &err), PM_CONFIG,
	       "missing trust file: PM_CONFIG (%s)", err.msg);
	o = trusting();
	o.priorities = "NORMAL:+NO-SUCH-THING";
	is_int(tls_case(pki.good, "localhost", &o, &err), PM_CONFIG,
	       "bad priority string: PM_CONFIG (%s)", err.msg);
}

static void
test_tls_pin(void)
{
	struct net_tls_opts o = {.certcheck = 1};
	struct pm_err err;
	char pin[96];

	crt_fingerprint(pki.good, GNUTLS_DIG_SHA256, pin, 0);
	o.fingerprint = pin;
	is_int(tls_case(pki.good, "localhost", &o, &err), PM_OK,
	       "SHA-256 pin (lower case) matches, unknown CA: %s", err.msg);
	is_int(tls_case(pki.expired, "wrong.example", &o, &err), PM_CERT,
	       "pin mismatch: PM_CERT");
	ok(contains(err.msg, "fingerprint"), "says fingerprint: %s", err.msg);
	o.fingerprint = pki.good_sha1;
	is_int(tls_case(pki.good, "localhost", &o, &err), PM_OK,
	       "SHA-1 pin matches: %s", err.msg);
	o.fingerprint = "AB:CD";
	is_int(tls_case(pki.good, "localhost", &o, &err), PM_CONFIG,
	       "malformed pin: PM_CONFIG");
	o.fingerprint = NULL;
	o.certcheck = 0;
	is_int(tls_case(pki.expired, "wrong.example", &o, &err), PM_OK,
	       "certcheck off accepts anything: %s", err.msg);
}

static void
test_tls_client_cert(void)
{
	struct net_tls_opts o = trusting();
	struct server s;
	struct net_conn *c = NULL;
	struct pm_err err;

	o.cert_file = pki.cert_file;
	o.key_file = pki.key_file;
	tls_server_cc(&s, pki.good, NULL, 1);
	is_int(tls_try(&s, "localhost", &o, &c, &err), PM_OK,
	       "client certificate: %s", err.msg);
	net_free(&c);
	server_stop(&s);
	ok(s.client_cert_seen, "server saw the client certificate");
	o.key_file = NULL;
	is_int(tls_case(pki.good, "localhost", &o, &err), PM_CONFIG,
	       "certificate without key: PM_CONFIG");
}

static void
test_tls11(void)
{
	static const char *v11 = "NORMAL:-VERS-ALL:+VERS-TLS1.1";
	struct net_tls_opts o = {.certcheck = 0, .priorities = v11};
	struct server s;
	struct net_conn *c = NULL;
	struct pm_err err;
	enum pm_status st;

	tls_server(&s, pki.good, v11);
	st = tls_try(&s, "localhost", &o, &c, &err);
	net_free(&c);
	server_stop(&s);
	if (st != PM_OK) {
		diag("this GnuTLS cannot speak TLS 1.1 (%s): case skipped",
		     err.msg);
		return;
	}
	o = trusting();
	tls_server(&s, pki.good, v11);
	is_int(tls_try(&s, "localhost", &o, &c, &err), PM_TLS,
	       "TLS 1.1-only server refused by default: %s", err.msg);
	ok(!net_is_tls(c), "no TLS with a TLS 1.1 server");
	net_free(&c);
	server_stop(&s);
}

int
main(void)
{
	pki_setup();
	test_plain();
	test_refused();
	test_connect_timeout();
	test_timeouts();
	test_peer_close();
	test_tls_ok();
	test_tls_refused();
	test_tls_pin();
	test_tls_client_cert();
	test_tls11();
	pki_teardown();
	return done_testing();
}
