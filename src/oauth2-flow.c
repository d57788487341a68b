/* oauth2-flow.c: the two ways a person grants popmuch a token: the
 * authorization code flow with PKCE and a loopback redirect (RFC 7636,
 * RFC 8252 7.3) and the device authorization grant (RFC 8628).
 *
 * The loopback listener is written here by hand: it reads one GET
 * request line from a browser on 127.0.0.1 and answers with a fixed page,
 * which libcurl (a client) does not do and a server library would be far
 * more than needed. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <nettle/base64.h>
#include <nettle/sha2.h>
#include <netinet/in.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "popmuch/http.h"
#include "popmuch/oauth2.h"
#include "popmuch/xmalloc.h"

#define REQUEST_MAX 8192
#define REQUEST_WAIT_MS 10000 /* for the browser to send its request */

extern char **environ;

struct oauth2_code_flow {
	struct oauth2_client *c; /* borrowed */
	int fd;			 /* the listener, -1 once closed */
	char redirect[64];
	char verifier[64]; /* PKCE code_verifier (secret) */
	char state[32];
	char *url;
};

/* n bytes of raw as base64url without padding into out. */
static void
b64url(char *out, size_t size, const uint8_t *raw, size_t n)
{
	struct base64_encode_ctx ctx;
	size_t len;

	if (size < BASE64_ENCODE_LENGTH(n) + 3)
		fatal("b64url: buffer too small");
	base64url_encode_init(&ctx);
	len = base64_encode_update(&ctx, out, n, raw);
	len += base64_encode_final(&ctx, out + len);
	while (len > 0 && out[len - 1] == '=')
		len--;
	out[len] = '\0';
}

/* n random bytes as base64url (the PKCE verifier, the state). */
static void
random_b64url(char *out, size_t size, size_t n)
{
	uint8_t raw[48];

	if (n > sizeof(raw) || getrandom(raw, n, 0) != (ssize_t)n)
		fatal("getrandom failed");
	b64url(out, size, raw, n);
	xwipe(raw, sizeof(raw));
}

/* The S256 code_challenge of verifier (RFC 7636 4.2). */
static void
challenge_of(const char *verifier, char *out, size_t size)
{
	uint8_t d[SHA256_DIGEST_SIZE];
	struct sha256_ctx h;

	sha256_init(&h);
	sha256_update(&h, strlen(verifier), (const uint8_t *)verifier);
	sha256_digest(&h, sizeof(d), d);
	b64url(out, size, d, sizeof(d));
}

static enum pm_status
listen_loopback(int *fd_r, unsigned *port_r, struct pm_err *err)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(fd, 1) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
		err_set(err, PM_UNAVAILABLE,
			"cannot listen on 127.0.0.1 for the sign-in's "
			"redirect: %s",
			strerror(errno));
		if (fd >= 0)
			(void)close(fd);
		return err->code;
	}
	*fd_r = fd;
	*port_r = ntohs(sa.sin_port);
	return PM_OK;
}

enum pm_status
oauth2_code_begin(struct oauth2_client *c, struct oauth2_code_flow **flow_r,
		  const char **url_r, struct pm_err *err)
{
	struct oauth2_code_flow *f = xcalloc(1, sizeof(*f));
	char challenge[64], *redir, *scope, *id, *hint = NULL;
	const char *base = oauth2_client_auth_url(c);
	enum pm_status st;
	unsigned port;

	*flow_r = NULL;
	if ((st = listen_loopback(&f->fd, &port, err)) != PM_OK) {
		free(f);
		return st;
	}
	f->c = c;
	(void)snprintf(f->redirect, sizeof(f->redirect), "http://127.0.0.1:%u/",
		       port);
	random_b64url(f->verifier, sizeof(f->verifier), 32);
	random_b64url(f->state, sizeof(f->state), 16);
	challenge_of(f->verifier, challenge, sizeof(challenge));
	redir = http_escape(f->redirect);
	scope = http_escape(oauth2_client_scope(c));
	id = http_escape(oauth2_client_id(c));
	if (oauth2_client_login_hint(c) != NULL)
		hint = http_escape(oauth2_client_login_hint(c));
	/* Google gives a refresh token only with access_type=offline. */
	f->url = xasprintf(
	    "%s%cresponse_type=code&client_id=%s&redirect_uri=%s&scope=%s"
	    "&state=%s&code_challenge=%s&code_challenge_method=S256%s%s%s",
	    base, strchr(base, '?') ? '&' : '?', id, redir, scope, f->state,
	    challenge, hint ? "&login_hint=" : "", hint ? hint : "",
	    strcmp(oauth2_client_provider(c), "google") == 0
		? "&access_type=offline&prompt=consent"
		: "");
	free(redir);
	free(scope);
	free(id);
	free(hint);
	*flow_r = f;
	*url_r = f->url;
	return PM_OK;
}

void
oauth2_code_flow_free(struct oauth2_code_flow **fp)
{
	struct oauth2_code_flow *f = *fp;

	if (f == NULL)
		return;
	if (f->fd >= 0)
		(void)close(f->fd);
	xwipe(f->verifier, sizeof(f->verifier));
	free(f->url);
	free(f);
	*fp = NULL;
}

/* Read the request head from fd (until a blank line, REQUEST_MAX bytes
 * or REQUEST_WAIT_MS).  Returns the bytes read, NUL-terminated. */
static size_t
read_request(int fd, char *buf, size_t size)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	size_t len = 0;
	ssize_t n;

	while (len + 1 < size && strstr(buf, "\r\n\r\n") == NULL &&
	       strstr(buf, "\n\n") == NULL) {
		if (poll(&pfd, 1, REQUEST_WAIT_MS) <= 0)
			break;
		n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
	}
	buf[len] = '\0';
	return len;
}

/* The value of name in the query string q ("a=b&c=d"), percent-decoded;
 * caller frees (xfree_secret), NULL when absent. */
static char *
query_param(const char *q, const char *name)
{
	size_t nlen = strlen(name), vlen;
	char *raw, *dec;
	size_t outlen;

	while (q != NULL && *q != '\0') {
		vlen = strcspn(q, "&");
		if (vlen > nlen && strncmp(q, name, nlen) == 0 &&
		    q[nlen] == '=') {
			raw = xstrndup(q + nlen + 1, vlen - nlen - 1);
			for (char *p = raw; *p != '\0'; p++)
				if (*p == '+')
					*p = ' ';
			dec = http_unescape(raw, &outlen);
			xfree_secret(raw);
			return dec;
		}
		q += vlen + (q[vlen] == '&');
	}
	return NULL;
}

static void
answer_browser(int fd, int ok)
{
	const char *msg = ok ? "popmuch: signed in. You can close this tab."
			     : "popmuch: the sign-in failed; see the "
			       "terminal for why.";
	char buf[512];
	int n =
	    snprintf(buf, sizeof(buf),
		     "HTTP/1.1 %s\r\nContent-Type: text/plain; "
		     "charset=utf-8\r\nContent-Length: %zu\r\n"
		     "Connection: close\r\n\r\n%s\n",
		     ok ? "200 OK" : "400 Bad Request", strlen(msg) + 1, msg);

	if (n > 0 && (size_t)n < sizeof(buf))
		(void)!write(fd, buf, (size_t)n);
}

/* Check the one redirect request in req; the code in *code_r. */
static enum pm_status
check_redirect(const struct oauth2_code_flow *f, char *req, char **code_r,
	       struct pm_err *err)
{
	char *line_end = strpbrk(req, "\r\n"), *target, *q, *state, *code,
	     *error, *desc;
	enum pm_status st;

	*code_r = NULL;
	if (line_end != NULL)
		*line_end = '\0';
	if (strncmp(req, "GET /", 5) != 0 || strstr(req, " HTTP/1.") == NULL)
		return err_set(err, PM_NOPERM,
			       "the request on the loopback listener is not "
			       "the sign-in's redirect");
	target = req + 4;
	*strstr(target, " HTTP/1.") = '\0';
	q = strchr(target, '?');
	state = query_param(q ? q + 1 : NULL, "state");
	code = query_param(q ? q + 1 : NULL, "code");
	error = query_param(q ? q + 1 : NULL, "error");
	desc = query_param(q ? q + 1 : NULL, "error_description");
	if (state == NULL || strcmp(state, f->state) != 0)
		st = err_set(err, PM_NOPERM,
			     "the redirect's state does not match the "
			     "sign-in popmuch started (a forged or stale "
			     "redirect); nothing was stored");
	else if (error != NULL)
		st = oauth2_error(error, desc, err);
	else if (code == NULL)
		st = err_set(err, PM_NOPERM,
			     "the redirect carries no authorization code");
	else
		st = PM_OK;
	if (st == PM_OK)
		*code_r = code;
	else
		xfree_secret(code);
	free(state);
	free(error);
	free(desc);
	return st;
}

/* Wait for one connection on the listener, read its request, answer it,
 * close both; the checked code in *code_r. */
static enum pm_status
take_redirect(struct oauth2_code_flow *f, int wait_seconds, char **code_r,
	      struct pm_err *err)
{
	struct pollfd pfd = {.fd = f->fd, .events = POLLIN};
	char *req = xcalloc(1, REQUEST_MAX);
	enum pm_status st;
	int conn, rc;

	do
		rc = poll(&pfd, 1, wait_seconds * 1000);
	while (rc < 0 && errno == EINTR);
	if (rc <= 0 || (conn = accept4(f->fd, NULL, NULL, SOCK_CLOEXEC)) < 0) {
		free(req);
		return err_set(err, PM_TIMEOUT,
			       "no browser came back to %s within %d "
			       "seconds",
			       f->redirect, wait_seconds);
	}
	(void)close(f->fd); /* one request, then closed */
	f->fd = -1;
	(void)read_request(conn, req, REQUEST_MAX);
	st = check_redirect(f, req, code_r, err);
	answer_browser(conn, st == PM_OK);
	(void)close(conn);
	xwipe(req, REQUEST_MAX);
	free(req);
	return st;
}

enum pm_status
oauth2_code_finish(struct oauth2_code_flow *f, int wait_seconds,
		   struct oauth2_tokens *t_r, struct pm_err *err)
{
	char *code = NULL;
	enum pm_status st;

	memset(t_r, 0, sizeof(*t_r));
	if ((st = take_redirect(f, wait_seconds, &code, err)) != PM_OK)
		return st;
	{
		const char *fields[] = {"grant_type",
					"authorization_code",
					"code",
					code,
					"redirect_uri",
					f->redirect,
					"code_verifier",
					f->verifier,
					NULL};

		st = oauth2_token_request(f->c, fields, t_r, NULL, err);
	}
	xfree_secret(code);
	return st;
}

int
oauth2_open_browser(const char *url)
{
	char *argv[] = {(char *)(uintptr_t) "xdg-open", (char *)(uintptr_t)url,
			NULL};
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int rc;

	if ((getenv("DISPLAY") == NULL || !*getenv("DISPLAY")) &&
	    (getenv("WAYLAND_DISPLAY") == NULL || !*getenv("WAYLAND_DISPLAY")))
		return 0;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	rc = posix_spawnp(&pid, "xdg-open", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	return rc == 0;
}

/* ---- device authorization grant ----------------------------------------- */

void
oauth2_device_clear(struct oauth2_device *d)
{
	if (d == NULL)
		return;
	xfree_secret(d->device_code);
	free(d->user_code);
	free(d->verification_uri);
	free(d->verification_uri_complete);
	memset(d, 0, sizeof(*d));
}

enum pm_status
oauth2_device_begin(struct oauth2_client *c, struct oauth2_device *d_r,
		    struct pm_err *err)
{
	const char *fields[] = {"scope", oauth2_client_scope(c), NULL};
	enum pm_status st;
	JsonObject *o;
	gint64 v;
	void *obj;

	memset(d_r, 0, sizeof(*d_r));
	if (oauth2_client_device_url(c) == NULL)
		return err_set(err, PM_CONFIG,
			       "this provider has no device endpoint; set "
			       "oauth2_device_url, or run popmuch auth "
			       "without --device");
	st = oauth2_post_json(c, oauth2_client_device_url(c), fields, &obj,
			      NULL, err);
	if (st != PM_OK)
		return st;
	o = obj;
	d_r->device_code = oauth2_json_dup(o, "device_code");
	d_r->user_code = oauth2_json_dup(o, "user_code");
	d_r->verification_uri = oauth2_json_dup(o, "verification_uri");
	if (d_r->verification_uri == NULL) /* Google's spelling */
		d_r->verification_uri = oauth2_json_dup(o, "verification_url");
	d_r->verification_uri_complete =
	    oauth2_json_dup(o, "verification_uri_complete");
	v = json_object_get_int_member_with_default(o, "interval", 5);
	d_r->interval = v >= 1 && v <= 600 ? (int)v : 5;
	v = json_object_get_int_member_with_default(o, "expires_in", 600);
	d_r->expires_at =
	    (int64_t)time(NULL) + (v >= 1 && v <= 86400 ? v : 600);
	json_object_unref(o);
	if (d_r->device_code == NULL || d_r->user_code == NULL ||
	    d_r->verification_uri == NULL) {
		oauth2_device_clear(d_r);
		return err_set(err, PM_PROTOCOL,
			       "the device endpoint's answer lacks "
			       "device_code, user_code or verification_uri");
	}
	return PM_OK;
}

static void
sleep_seconds(int s)
{
	struct timespec ts = {.tv_sec = s};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

enum pm_status
oauth2_device_poll(struct oauth2_client *c, struct oauth2_device *d,
		   struct oauth2_tokens *t_r, struct pm_err *err)
{
	const char *fields[] = {"grant_type",
				"urn:ietf:params:oauth:grant-type:device_code",
				"device_code", d->device_code, NULL};
	enum pm_status st;
	char *code;

	for (;;) {
		if ((int64_t)time(NULL) + d->interval > d->expires_at)
			return oauth2_error("expired_token", NULL, err);
		sleep_seconds(d->interval);
		st = oauth2_token_request(c, fields, t_r, &code, err);
		if (st == PM_OK || code == NULL) {
			free(code);
			return st;
		}
		if (strcmp(code, "slow_down") == 0)
			d->interval +=
			    5; /* RFC 8628 3.5: for every later poll */
		else if (strcmp(code, "authorization_pending") != 0) {
			free(code);
			return st;
		}
		free(code);
	}
}
