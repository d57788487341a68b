/* net.c: TCP connections with timeouts, and GnuTLS sessions.
 *
 * The socket is non-blocking from the start.  Every operation (one
 * connect attempt, one net_read, one net_write, one handshake) gets a
 * deadline; the transport functions below try the system call first
 * and only poll(2) when it would block, never past the deadline.  GnuTLS
 * reads and writes through the same functions (custom push and pull),
 * so the handshake and TLS records are bounded by the same deadline, and
 * sends use MSG_NOSIGNAL: SIGPIPE never reaches the process.
 *
 * Data GnuTLS has already decrypted is returned by gnutls_record_recv()
 * without calling the pull function, so net_read() never waits for the
 * network while TLS bytes are buffered.
 *
 * A stop request (stop.h: SIGTERM, SIGINT, SIGHUP) ends every wait at
 * once: each poll also watches stop_fd(), and no system call starts
 * after the request; the operation fails with PM_TEMPFAIL. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

#include "popmuch/err.h"
#include "popmuch/log.h"
#include "popmuch/net.h"
#include "popmuch/stop.h"
#include "popmuch/xmalloc.h"
#include "net-int.h"

#define NET_DEFAULT_TIMEOUT 180
#define NET_MAX_TIMEOUT 86400
#define NET_DEFAULT_PRIORITIES "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"

struct net_conn {
	int fd;
	int timeout;	    /* seconds */
	long long deadline; /* CLOCK_MONOTONIC ms of the current operation */
	int timed_out;	    /* the last transport call hit the deadline */
	int interrupted;    /* a stop was requested (stop.h) */
	int io_errno;	    /* errno of the last failed transport call */
	int dead;	    /* unusable after a TLS failure */
	gnutls_session_t session;
	gnutls_certificate_credentials_t cred;
	int tls_up;
};

/* ---- time and the transport ---------------------------------------- */

static void
conn_arm(struct net_conn *c)
{
	c->deadline = stop_clock_ms() + (long long)c->timeout * 1000;
	c->timed_out = 0;
	c->io_errno = 0;
}

/* Has a stop been requested?  Then the operation ends as interrupted. */
static int
conn_stopped(struct net_conn *c)
{
	if (!stop_requested())
		return 0;
	c->interrupted = 1;
	c->io_errno = EINTR;
	return 1;
}

/* Wait until fd is ready for events or the deadline passes.  Returns 0
 * when ready (or in error: the next call reports it), -1 on timeout. */
static int
conn_wait(struct net_conn *c, short events)
{
	long long left;
	int r;

	for (;;) {
		if (conn_stopped(c))
			return -1;
		left = c->deadline - stop_clock_ms();
		if (left <= 0)
			break;
		r = stop_poll(c->fd, events, (int)left);
		if (r > 0)
			return conn_stopped(c) ? -1 : 0;
		if (r < 0 && errno != EINTR) {
			c->io_errno = errno;
			return -1;
		}
	}
	c->timed_out = 1;
	c->io_errno = ETIMEDOUT;
	return -1;
}

/* One recv() (events POLLIN) or send() (POLLOUT) on the socket, waiting
 * within the deadline while it would block.  -1 with c->io_errno set. */
static ssize_t
conn_io(struct net_conn *c, void *buf, size_t len, short events)
{
	ssize_t n;

	for (;;) {
		if (conn_stopped(c))
			return -1;
		n = events == POLLIN
			? recv(c->fd, buf, len, MSG_DONTWAIT)
			: send(c->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n >= 0)
			return n;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			c->io_errno = errno;
			return -1;
		}
		if (conn_wait(c, events) < 0)
			return -1;
	}
}

static ssize_t
conn_recv(struct net_conn *c, void *buf, size_t len)
{
	return conn_io(c, buf, len, POLLIN);
}

static ssize_t
conn_send(struct net_conn *c, const void *buf, size_t len)
{
	return conn_io(c, (void *)buf, len, POLLOUT);
}

/* GnuTLS's transport: conn_io(), with its errno passed on to GnuTLS. */
static ssize_t
tls_io(struct net_conn *c, void *buf, size_t len, short events)
{
	ssize_t n = conn_io(c, buf, len, events);

	if (n < 0)
		gnutls_transport_set_errno(c->session, c->io_errno);
	return n;
}

static ssize_t
tls_pull(gnutls_transport_ptr_t ptr, void *buf, size_t len)
{
	return tls_io(ptr, buf, len, POLLIN);
}

static ssize_t
tls_push(gnutls_transport_ptr_t ptr, const void *buf, size_t len)
{
	return tls_io(ptr, (void *)buf, len, POLLOUT);
}

static int
tls_pull_timeout(gnutls_transport_ptr_t ptr, unsigned int ms)
{
	struct net_conn *c = ptr;
	long long left = c->deadline - stop_clock_ms();
	int r;

	if (ms != GNUTLS_INDEFINITE_TIMEOUT && (long long)ms < left)
		left = ms;
	if (left < 0)
		left = 0;
	do
		r = stop_poll(c->fd, POLLIN, (int)left);
	while (r < 0 && errno == EINTR && !stop_requested());
	if (stop_requested())
		return 1; /* the pull that follows fails as interrupted */
	if (r == 0 && c->deadline <= stop_clock_ms()) {
		c->timed_out = 1;
		c->io_errno = ETIMEDOUT;
	}
	return r;
}

/* ---- connect --------------------------------------------------------- */

static void
addr_text(const struct addrinfo *ai, char *buf, size_t size)
{
	if (getnameinfo(ai->ai_addr, ai->ai_addrlen, buf, (socklen_t)size, NULL,
			0, NI_NUMERICHOST) != 0)
		(void)snprintf(buf, size, "?");
}

static const struct addrinfo *
source_for(const struct addrinfo *src, int family)
{
	for (; src != NULL; src = src->ai_next)
		if (src->ai_family == family)
			return src;
	return NULL;
}

/* Connect c->fd to one address; the socket is left in c->fd. */
static enum pm_status
connect_one(struct net_conn *c, const struct addrinfo *ai,
	    const struct addrinfo *src, struct pm_err *err)
{
	int one = 1, soerr = 0;
	socklen_t len = sizeof(soerr);

	c->fd = socket(ai->ai_family,
		       ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       ai->ai_protocol);
	if (c->fd < 0)
		return err_set(err, PM_NETWORK, "%s", strerror(errno));
	if (src != NULL && bind(c->fd, src->ai_addr, src->ai_addrlen) < 0)
		return err_set(err, PM_NETWORK,
			       "cannot bind source address: %s",
			       strerror(errno));
	conn_arm(c);
	if (connect(c->fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		if (errno != EINPROGRESS && errno != EINTR)
			return err_set(err, PM_NETWORK, "%s", strerror(errno));
		if (conn_wait(c, POLLOUT) < 0 && c->interrupted)
			return err_set(err, PM_TEMPFAIL,
				       "interrupted by signal (%s)",
				       stop_signal_name());
		if (c->timed_out || c->io_errno != 0) /* conn_wait failed */
			return err_set(err,
				       c->timed_out ? PM_TIMEOUT : PM_NETWORK,
				       "%s", strerror(c->io_errno));
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
			soerr = errno;
		if (soerr != 0)
			return err_set(err, PM_NETWORK, "%s", strerror(soerr));
	}
	(void)setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	(void)setsockopt(c->fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
	return PM_OK;
}

static enum pm_status
resolve(const char *host, const char *port, int flags, struct addrinfo **r,
	struct pm_err *err)
{
	struct addrinfo hints;
	int e;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	hints.ai_flags = flags;
	e = getaddrinfo(host, port, &hints, r);
	if (e == 0)
		return PM_OK;
	*r = NULL;
	return err_set(err, PM_NETWORK, "cannot resolve %s: %s", host,
		       e == EAI_SYSTEM ? strerror(errno) : gai_strerror(e));
}

static enum pm_status
connect_all(struct net_conn *c, const char *host, unsigned port,
	    const struct addrinfo *res, const struct addrinfo *src,
	    struct pm_err *err)
{
	const struct addrinfo *ai, *s;
	enum pm_status st = PM_NETWORK;
	char addr[INET6_ADDRSTRLEN + 8];

	err_set(err, PM_NETWORK, "no address");
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		addr_text(ai, addr, sizeof(addr));
		s = NULL;
		if (src != NULL &&
		    (s = source_for(src, ai->ai_family)) == NULL) {
			st = err_set(err, PM_NETWORK,
				     "source address is not "
				     "of the same address family");
		} else {
			st = connect_one(c, ai, s, err);
			if (st == PM_OK)
				return PM_OK;
			if (c->fd >= 0)
				close(c->fd);
			c->fd = -1;
		}
		if (st == PM_TIMEOUT)
			err_set(err, st, "timeout after %d seconds",
				c->timeout);
		err_prefix(err, "cannot connect to %s port %u (%s)", host, port,
			   addr);
	}
	return st;
}

enum pm_status
net_connect(const char *host, unsigned port, int timeout, const char *source_ip,
	    struct net_conn **conn_r, struct pm_err *err)
{
	struct addrinfo *res = NULL, *src = NULL;
	struct net_conn *c;
	enum pm_status st;
	char portstr[16];

	*conn_r = NULL;
	if (port == 0 || port > 65535)
		return err_set(err, PM_CONFIG, "invalid port %u", port);
	(void)snprintf(portstr, sizeof(portstr), "%u", port);
	st = resolve(host, portstr, 0, &res, err);
	if (st != PM_OK)
		return st;
	if (source_ip != NULL &&
	    resolve(source_ip, NULL, AI_NUMERICHOST | AI_PASSIVE, &src, err) !=
		PM_OK) {
		freeaddrinfo(res);
		return err_set(err, PM_CONFIG, "invalid source address %s",
			       source_ip);
	}
	c = xcalloc(1, sizeof(*c));
	c->fd = -1;
	c->timeout = timeout;
	if (timeout <= 0)
		c->timeout = NET_DEFAULT_TIMEOUT;
	else if (timeout > NET_MAX_TIMEOUT)
		c->timeout = NET_MAX_TIMEOUT;
	st = connect_all(c, host, port, res, src, err);
	freeaddrinfo(res);
	if (src != NULL)
		freeaddrinfo(src);
	if (st != PM_OK) {
		free(c);
		return st;
	}
	*conn_r = c;
	err_clear(err);
	return PM_OK;
}

/* ---- TLS setup ------------------------------------------------------- */

static enum pm_status
load_creds(struct net_conn *c, const struct net_tls_opts *o, struct pm_err *err)
{
	int r;

	if (gnutls_certificate_allocate_credentials(&c->cred) < 0)
		fatal("out of memory");
	if (o->certcheck && o->fingerprint == NULL) {
		if (o->trust_file != NULL) {
			r = gnutls_certificate_set_x509_trust_file(
			    c->cred, o->trust_file, GNUTLS_X509_FMT_PEM);
			if (r == 0)
				return err_set(err, PM_CONFIG,
					       "TLS trust "
					       "file %s holds no certificate",
					       o->trust_file);
		} else {
			r = gnutls_certificate_set_x509_system_trust(c->cred);
		}
		if (r < 0)
			return err_set(err, PM_CONFIG,
				       "cannot load TLS trust "
				       "file %s: %s",
				       o->trust_file ? o->trust_file
						     : "(system)",
				       gnutls_strerror(r));
	}
	if (o->crl_file != NULL &&
	    (r = gnutls_certificate_set_x509_crl_file(c->cred, o->crl_file,
						      GNUTLS_X509_FMT_PEM)) < 0)
		return err_set(err, PM_CONFIG,
			       "cannot load TLS CRL file %s: "
			       "%s",
			       o->crl_file, gnutls_strerror(r));
	if ((o->cert_file == NULL) != (o->key_file == NULL))
		return err_set(err, PM_CONFIG,
			       "a TLS client certificate "
			       "needs both a certificate and a key file");
	if (o->cert_file != NULL &&
	    (r = gnutls_certificate_set_x509_key_file(
		 c->cred, o->cert_file, o->key_file, GNUTLS_X509_FMT_PEM)) < 0)
		return err_set(err, PM_CONFIG,
			       "cannot load TLS client "
			       "certificate %s / %s: %s",
			       o->cert_file, o->key_file, gnutls_strerror(r));
	return PM_OK;
}

static int
is_ip_literal(const char *name)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, name, buf) == 1 ||
	       inet_pton(AF_INET6, name, buf) == 1;
}

static enum pm_status
session_setup(struct net_conn *c, const char *name,
	      const struct net_tls_opts *o, struct pm_err *err)
{
	const char *prio =
	    o->priorities ? o->priorities : NET_DEFAULT_PRIORITIES;
	const char *where = NULL;
	int r;

	if (gnutls_init(&c->session, GNUTLS_CLIENT | GNUTLS_NO_SIGNAL) < 0)
		fatal("out of memory");
	r = gnutls_priority_set_direct(c->session, prio, &where);
	if (r < 0)
		return err_set(err, PM_CONFIG,
			       "invalid TLS priority string "
			       "\"%s\": %s%s%s",
			       prio, gnutls_strerror(r), where ? " at " : "",
			       where ? where : "");
	r = gnutls_credentials_set(c->session, GNUTLS_CRD_CERTIFICATE, c->cred);
	if (r < 0)
		return err_set(err, PM_TLS, "TLS: %s", gnutls_strerror(r));
	if (!is_ip_literal(name) &&
	    (r = gnutls_server_name_set(c->session, GNUTLS_NAME_DNS, name,
					strlen(name))) < 0)
		return err_set(err, PM_TLS, "TLS server name %s: %s", name,
			       gnutls_strerror(r));
	gnutls_transport_set_ptr(c->session, c);
	gnutls_transport_set_push_function(c->session, tls_push);
	gnutls_transport_set_pull_function(c->session, tls_pull);
	gnutls_transport_set_pull_timeout_function(c->session,
						   tls_pull_timeout);
	gnutls_handshake_set_timeout(c->session, (unsigned)c->timeout * 1000);
	return PM_OK;
}

/* The status and message of a failed GnuTLS call r during what. */
static enum pm_status
tls_fail(struct net_conn *c, int r, const char *what, struct pm_err *err)
{
	c->dead = 1;
	if (c->interrupted)
		return err_set(err, PM_TEMPFAIL,
			       "interrupted by signal (%s) %s",
			       stop_signal_name(), what);
	if (c->timed_out || r == GNUTLS_E_TIMEDOUT || !gnutls_error_is_fatal(r))
		return err_set(err, PM_TIMEOUT, "timeout after %d seconds %s",
			       c->timeout, what);
	if ((r == GNUTLS_E_PUSH_ERROR || r == GNUTLS_E_PULL_ERROR) &&
	    c->io_errno != 0)
		return err_set(err, PM_NETWORK, "network error %s: %s", what,
			       strerror(c->io_errno));
	if (r == GNUTLS_E_FATAL_ALERT_RECEIVED)
		return err_set(
		    err, PM_TLS, "TLS error %s: %s: %s", what,
		    gnutls_strerror(r),
		    gnutls_alert_get_name(gnutls_alert_get(c->session)));
	return err_set(err, PM_TLS, "TLS error %s: %s", what,
		       gnutls_strerror(r));
}

static void
tls_drop(struct net_conn *c)
{
	if (c->session != NULL)
		gnutls_deinit(c->session);
	if (c->cred != NULL)
		gnutls_certificate_free_credentials(c->cred);
	c->session = NULL;
	c->cred = NULL;
	c->tls_up = 0;
}

enum pm_status
net_tls_start(struct net_conn *c, const char *host,
	      const struct net_tls_opts *o, struct pm_err *err)
{
	static const struct net_tls_opts defaults = {.certcheck = 1};
	const char *name;
	enum pm_status st;
	int r;

	if (o == NULL)
		o = &defaults;
	name = o->host_override ? o->host_override : host;
	if (c->dead || c->session != NULL)
		return err_set(err, PM_SOFTWARE, "TLS started twice");
	st = load_creds(c, o, err);
	if (st == PM_OK)
		st = session_setup(c, name, o, err);
	if (st == PM_OK) {
		conn_arm(c);
		do
			r = gnutls_handshake(c->session);
		while (r < 0 && !gnutls_error_is_fatal(r) && !c->timed_out &&
		       !c->interrupted && stop_clock_ms() < c->deadline);
		if (r < 0)
			st = tls_fail(c, r, "during the TLS handshake", err);
	}
	if (st == PM_OK)
		st = net_cert_check(c->session, name, o, err);
	if (st != PM_OK) {
		c->dead = 1;
		tls_drop(c);
		return st;
	}
	c->tls_up = 1;
	err_clear(err);
	return PM_OK;
}

/* ---- session description --------------------------------------------- */

int
net_tls_info(struct net_conn *c, struct net_tls_info *info)
{
	const gnutls_datum_t *chain;
	const char *s;
	unsigned n = 0;

	memset(info, 0, sizeof(*info));
	if (c == NULL || !c->tls_up)
		return -1;
	s = gnutls_protocol_get_name(gnutls_protocol_get_version(c->session));
	(void)snprintf(info->version, sizeof(info->version), "%s",
		       s ? s : "unknown");
#if GNUTLS_VERSION_NUMBER >= 0x030703
	s = gnutls_ciphersuite_get(c->session);
#else
	s = NULL;
#endif
	if (s == NULL)
		s = gnutls_cipher_get_name(gnutls_cipher_get(c->session));
	(void)snprintf(info->cipher, sizeof(info->cipher), "%s",
		       s ? s : "unknown");
	chain = gnutls_certificate_get_peers(c->session, &n);
	if (chain != NULL && n > 0)
		net_cert_info(&chain[0], info);
	return 0;
}

int
net_is_tls(const struct net_conn *c)
{
	return c != NULL && c->tls_up;
}

/* ---- reading and writing --------------------------------------------- */

static enum pm_status
plain_fail(struct net_conn *c, const char *what, struct pm_err *err)
{
	if (c->interrupted)
		return err_set(err, PM_TEMPFAIL,
			       "interrupted by signal (%s) %s",
			       stop_signal_name(), what);
	if (c->timed_out)
		return err_set(err, PM_TIMEOUT, "timeout after %d seconds %s",
			       c->timeout, what);
	return err_set(err, PM_NETWORK, "network error %s: %s", what,
		       strerror(c->io_errno));
}

static enum pm_status
tls_read(struct net_conn *c, void *buf, size_t len, size_t *got_r,
	 struct pm_err *err)
{
	ssize_t r;

	for (;;) {
		r = gnutls_record_recv(c->session, buf, len);
		if (r > 0) {
			*got_r = (size_t)r;
			return PM_OK;
		}
		if (r == 0 || r == GNUTLS_E_PREMATURE_TERMINATION)
			return PM_OK;
		/* Renegotiation requests are ignored (refused). */
		if (gnutls_error_is_fatal((int)r) == 0 && !c->timed_out &&
		    !c->interrupted && stop_clock_ms() < c->deadline)
			continue;
		return tls_fail(c, (int)r, "reading from server", err);
	}
}

enum pm_status
net_read(struct net_conn *c, void *buf, size_t len, size_t *got_r,
	 struct pm_err *err)
{
	ssize_t n;

	*got_r = 0;
	if (c->dead)
		return err_set(err, PM_NETWORK,
			       "connection unusable after "
			       "an earlier error");
	if (len == 0)
		return PM_OK;
	conn_arm(c);
	if (c->tls_up)
		return tls_read(c, buf, len, got_r, err);
	n = conn_recv(c, buf, len);
	if (n < 0)
		return plain_fail(c, "reading from server", err);
	*got_r = (size_t)n;
	return PM_OK;
}

enum pm_status
net_write(struct net_conn *c, const void *buf, size_t len, struct pm_err *err)
{
	const char *p = buf;
	ssize_t n;

	if (c->dead)
		return err_set(err, PM_NETWORK,
			       "connection unusable after "
			       "an earlier error");
	while (len > 0) {
		conn_arm(c); /* the timeout bounds each stall, not the total */
		if (c->tls_up) {
			do
				n = gnutls_record_send(c->session, p, len);
			while ((n == GNUTLS_E_AGAIN ||
				n == GNUTLS_E_INTERRUPTED) &&
			       !c->timed_out && !c->interrupted);
			if (n < 0)
				return tls_fail(c, (int)n, "writing to server",
						err);
		} else {
			n = conn_send(c, p, len);
			if (n < 0)
				return plain_fail(c, "writing to server", err);
		}
		p += n;
		len -= (size_t)n;
	}
	return PM_OK;
}

int
net_pending(struct net_conn *c)
{
	struct pollfd pfd;

	if (c->dead)
		return 0;
	if (c->tls_up && gnutls_record_check_pending(c->session) > 0)
		return 1;
	/* Readable now: data (or a close, which the next read reports)
	 * sits in the kernel's buffer. */
	pfd.fd = c->fd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	return poll(&pfd, 1, 0) > 0 && (pfd.revents & POLLIN) != 0;
}

void
net_free(struct net_conn **cp)
{
	struct net_conn *c;

	if (cp == NULL || *cp == NULL)
		return;
	c = *cp;
	if (c->tls_up && !c->dead) {
		/* One non-blocking attempt: the deadline is now. */
		c->deadline = stop_clock_ms();
		(void)gnutls_bye(c->session, GNUTLS_SHUT_WR);
	}
	tls_drop(c);
	if (c->fd >= 0)
		close(c->fd);
	free(c);
	*cp = NULL;
}
