/* http.c: HTTPS requests through libcurl (GnuTLS build): OAuth2's,
 * and setup's autoconfig. */
#include "config.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "popmuch/http.h"
#include "popmuch/log.h"
#include "popmuch/xmalloc.h"

#define HTTP_BODY_MAX (1024 * 1024)

/* libcurl is loaded (dlopen) when the first URL or request needs it,
 * not linked: its GnuTLS build brings Kerberos, LDAP, libssh2, librtmp,
 * nghttp2 and more, whose loading cost every start of popmuch about
 * 4 ms (an empty program linked with popmuch's libraries started in
 * 8.4 ms, without libcurl in 4.3 ms), while only OAuth2 and setup's
 * autoconfig use it.  The library is the one configure linked a test
 * program against (CURL_SONAME); its functions are taken through this
 * table, typed from curl.h's own declarations. */
static struct {
	__typeof__(curl_global_init) *global_init;
	__typeof__(curl_easy_init) *easy_init;
	__typeof__(curl_easy_setopt) *easy_setopt;
	__typeof__(curl_easy_perform) *easy_perform;
	__typeof__(curl_easy_getinfo) *easy_getinfo;
	__typeof__(curl_easy_cleanup) *easy_cleanup;
	__typeof__(curl_easy_strerror) *easy_strerror;
	__typeof__(curl_easy_escape) *easy_escape;
	__typeof__(curl_easy_unescape) *easy_unescape;
	__typeof__(curl_free) *free;
	__typeof__(curl_slist_append) *slist_append;
	__typeof__(curl_slist_free_all) *slist_free_all;
	__typeof__(curl_url) *url;
	__typeof__(curl_url_cleanup) *url_cleanup;
	__typeof__(curl_url_set) *url_set;
	__typeof__(curl_url_get) *url_get;
} C;

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static int curl_ready;	   /* C is filled and libcurl initialised */
static char curl_why[256]; /* else why not */

static void
curl_setup(void)
{
	void *h = dlopen(CURL_SONAME, RTLD_NOW | RTLD_LOCAL);
	const char *missing = NULL;

#define LOAD(f)                                                                \
	if (missing == NULL &&                                                 \
	    (*(void **)(void *)&C.f = dlsym(h, "curl_" #f)) == NULL)           \
	missing = "curl_" #f
	if (h == NULL) {
		(void)snprintf(curl_why, sizeof(curl_why), "%s", dlerror());
		return;
	}
	LOAD(global_init);
	LOAD(easy_init);
	LOAD(easy_setopt);
	LOAD(easy_perform);
	LOAD(easy_getinfo);
	LOAD(easy_cleanup);
	LOAD(easy_strerror);
	LOAD(easy_escape);
	LOAD(easy_unescape);
	LOAD(free);
	LOAD(slist_append);
	LOAD(slist_free_all);
	LOAD(url);
	LOAD(url_cleanup);
	LOAD(url_set);
	LOAD(url_get);
#undef LOAD
	if (missing != NULL)
		(void)snprintf(curl_why, sizeof(curl_why), "%s lacks %s",
			       CURL_SONAME, missing);
	else if (C.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		(void)snprintf(curl_why, sizeof(curl_why),
			       "%s cannot be initialised", CURL_SONAME);
	else
		curl_ready = 1;
}

/* Load libcurl once.  Returns: PM_OK; PM_UNAVAILABLE naming why it
 * cannot be used (an installation problem). */
static enum pm_status
curl_loaded(struct pm_err *err)
{
	(void)pthread_once(&curl_once, curl_setup);
	if (curl_ready)
		return PM_OK;
	return err_set(err, PM_UNAVAILABLE, "cannot load libcurl (%s): %s",
		       CURL_SONAME, curl_why);
}

/* curl_loaded() for the callers that cannot fail. */
static void
curl_needed(void)
{
	struct pm_err err;

	if (curl_loaded(&err) != PM_OK)
		fatal("%s", err.msg);
}

int
http_host_is_loopback(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;
	char buf[64];
	size_t len = strlen(host);

	if (len >= 2 && host[0] == '[' && host[len - 1] == ']') {
		if (len - 2 >= sizeof(buf))
			return 0;
		memcpy(buf, host + 1, len - 2);
		buf[len - 2] = '\0';
		host = buf;
	}
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return 0;
}

enum pm_status
http_url_check(const char *url, struct pm_err *err)
{
	char *scheme = NULL, *host = NULL;
	enum pm_status st = curl_loaded(err);
	CURLU *u;

	if (st != PM_OK)
		return st;
	if ((u = C.url()) == NULL)
		fatal("out of memory");
	if (C.url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    C.url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    C.url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
		st =
		    err_set(err, PM_CONFIG, "'%.200s' is not a valid URL", url);
	else if (strcasecmp(scheme, "https") != 0 &&
		 !(strcasecmp(scheme, "http") == 0 &&
		   http_host_is_loopback(host)))
		st = err_set(err, PM_CONFIG,
			     "'%.200s' is not https (plain http is accepted "
			     "only for a loopback address such as "
			     "127.0.0.1)",
			     url);
	C.free(scheme);
	C.free(host);
	C.url_cleanup(u);
	return st;
}

char *
http_form_encode(const char *const *fields)
{
	size_t cap = 1, len = 0;
	char *out, *k, *v;

	for (size_t i = 0; fields[i] != NULL; i += 2)
		cap += 3 * (strlen(fields[i]) + strlen(fields[i + 1])) + 2;
	out = xmalloc(cap);
	out[0] = '\0';
	for (size_t i = 0; fields[i] != NULL; i += 2) {
		k = http_escape(fields[i]);
		v = http_escape(fields[i + 1]);
		len += (size_t)snprintf(out + len, cap - len, "%s%s=%s",
					i > 0 ? "&" : "", k, v);
		free(k);
		xfree_secret(v);
	}
	return out;
}

struct sink {
	char *buf;
	size_t len, cap;
	int too_big;
};

static size_t
sink_write(char *data, size_t size, size_t n, void *ctx)
{
	struct sink *s = ctx;
	size_t add = size * n;
	char *nbuf;

	if (s->len + add > HTTP_BODY_MAX) {
		s->too_big = 1;
		return 0;
	}
	if (s->len + add + 1 > s->cap) {
		s->cap = (s->len + add + 1) * 2;
		nbuf = xmalloc(s->cap);
		if (s->buf != NULL) {
			memcpy(nbuf, s->buf, s->len);
			xwipe(s->buf, s->len);
			free(s->buf);
		}
		s->buf = nbuf;
	}
	memcpy(s->buf + s->len, data, add);
	s->len += add;
	s->buf[s->len] = '\0';
	return add;
}

static enum pm_status
curl_status(CURLcode rc, const char *url, const struct sink *s,
	    const char *errbuf, struct pm_err *err)
{
	const char *why = errbuf[0] ? errbuf : C.easy_strerror(rc);

	switch (rc) {
	case CURLE_OK:
		return PM_OK;
	case CURLE_OPERATION_TIMEDOUT:
		return err_set(err, PM_TIMEOUT, "%.200s: no answer in time",
			       url);
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
		return err_set(err, PM_CERT,
			       "%.200s: the server's certificate was "
			       "refused: %s",
			       url, why);
	case CURLE_WRITE_ERROR:
		if (s->too_big)
			return err_set(err, PM_PROTOCOL,
				       "%.200s: the answer is larger than "
				       "1 MiB",
				       url);
		break;
	default:
		break;
	}
	return err_set(err, PM_NETWORK, "%.200s: %s", url, why);
}

/* One request: a POST of body (application/x-www-form-urlencoded) or,
 * when body is NULL, a GET; the answer as http_post_form() gives it. */
static enum pm_status
request(const char *url, const char *body, const char *accept, int timeout,
	struct http_resp *resp_r, struct pm_err *err)
{
	const char *method = body != NULL ? "POST" : "GET";
	char errbuf[CURL_ERROR_SIZE] = "", *hline;
	struct curl_slist *hdr = NULL;
	struct sink s = {0};
	enum pm_status st;
	CURLcode rc;
	CURL *c;

	memset(resp_r, 0, sizeof(*resp_r));
	if ((st = http_url_check(url, err)) != PM_OK)
		return st;
	if ((c = C.easy_init()) == NULL)
		fatal("libcurl: out of memory");
	hline = xasprintf("Accept: %s", accept);
	hdr = C.slist_append(hdr, hline);
	free(hline);
	C.easy_setopt(c, CURLOPT_URL, url);
	C.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	C.easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	C.easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	C.easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	C.easy_setopt(c, CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_2);
	C.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	C.easy_setopt(c, CURLOPT_TIMEOUT, (long)timeout);
	C.easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)timeout);
	C.easy_setopt(c, CURLOPT_NOPROXY, "127.0.0.1,::1");
	C.easy_setopt(c, CURLOPT_USERAGENT, "popmuch/" PACKAGE_VERSION);
	C.easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	if (body != NULL)
		C.easy_setopt(c, CURLOPT_POSTFIELDS, body);
	C.easy_setopt(c, CURLOPT_WRITEFUNCTION, sink_write);
	C.easy_setopt(c, CURLOPT_WRITEDATA, &s);
	C.easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	log_msg(PM_LOG_VERBOSE, "%s %s", method, url);
	rc = C.easy_perform(c);
	st = curl_status(rc, url, &s, errbuf, err);
	if (st == PM_OK) {
		C.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp_r->status);
		resp_r->body = s.buf != NULL ? s.buf : xstrdup("");
		resp_r->len = s.len;
		s.buf = NULL;
		log_msg(PM_LOG_VERBOSE, "%s %s: HTTP %ld", method, url,
			resp_r->status);
	}
	if (s.buf != NULL) {
		xwipe(s.buf, s.len);
		free(s.buf);
	}
	C.slist_free_all(hdr);
	C.easy_cleanup(c);
	return st;
}

enum pm_status
http_post_form(const char *url, const char *const *fields, int timeout,
	       struct http_resp *resp_r, struct pm_err *err)
{
	char *body = http_form_encode(fields);
	enum pm_status st =
	    request(url, body, "application/json", timeout, resp_r, err);

	xfree_secret(body);
	return st;
}

enum pm_status
http_get(const char *url, int timeout, struct http_resp *resp_r,
	 struct pm_err *err)
{
	return request(url, NULL, "*/*", timeout, resp_r, err);
}

void
http_resp_clear(struct http_resp *resp)
{
	if (resp == NULL)
		return;
	if (resp->body != NULL)
		xfree_secret(resp->body);
	resp->body = NULL;
	resp->len = 0;
}

char *
http_escape(const char *s)
{
	char *e, *out;

	curl_needed();
	if ((e = C.easy_escape(NULL, s, 0)) == NULL)
		fatal("out of memory");
	out = xstrdup(e);
	xwipe(e, strlen(e));
	C.free(e);
	return out;
}

char *
http_unescape(const char *s, size_t *len_r)
{
	char *d, *out;
	int n = 0;

	curl_needed();
	if ((d = C.easy_unescape(NULL, s, 0, &n)) == NULL || n < 0)
		fatal("out of memory");
	out = xstrndup(d, (size_t)n);
	xwipe(d, (size_t)n);
	C.free(d);
	*len_r = (size_t)n;
	return out;
}
