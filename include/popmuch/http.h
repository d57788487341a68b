/* http.h: HTTPS requests through libcurl: OAuth2's token requests, and
 * the autoconfig documents of popmuch setup.
 *
 * Every request is bounded in time and in size, follows no redirect,
 * and goes over https with the certificate and host name verified;
 * plain http is accepted only for a loopback address written as an IP
 * literal (127.0.0.0/8, [::1]), as a test server or a local proxy is.
 * Request and response bodies hold secrets (codes, tokens, client
 * secrets): they are never logged and are wiped when freed. */
#ifndef POPMUCH_HTTP_H
#define POPMUCH_HTTP_H

#include <stddef.h>

#include "popmuch/err.h"

struct http_resp {
	long status; /* the HTTP status code */
	char *body;  /* NUL-terminated; wiped and freed by http_resp_clear */
	size_t len;
};

/* Is url one popmuch may send a secret to: https, or http to a loopback
 * IP literal?
 * Returns: PM_OK; PM_CONFIG with err naming the URL's problem. */
enum pm_status http_url_check(const char *url, struct pm_err *err);

/* Is host (as in a URL: "127.0.0.1", "[::1]", "::1") a loopback IP
 * literal?  Names such as "localhost" are not: they resolve elsewhere. */
int http_host_is_loopback(const char *host);

/* POST the form fields (name, value pairs, NULL-terminated; values may
 * be secrets) to url, waiting at most timeout seconds in all.  On PM_OK
 * *resp_r holds the answer, of any HTTP status; the caller clears it with
 * http_resp_clear().
 * Returns: PM_OK; PM_CONFIG for a URL refused by http_url_check();
 * PM_TIMEOUT; PM_CERT when the certificate is refused; PM_PROTOCOL for a
 * body over 1 MiB; PM_NETWORK otherwise. */
enum pm_status http_post_form(const char *url, const char *const *fields,
			      int timeout, struct http_resp *resp_r,
			      struct pm_err *err);

/* GET url, bounded as http_post_form() (no redirect, https or loopback
 * http, 1 MiB); the answer of any HTTP status in *resp_r, cleared by the
 * caller with http_resp_clear().
 * Returns: as http_post_form(). */
enum pm_status http_get(const char *url, int timeout, struct http_resp *resp_r,
			struct pm_err *err);

/* Wipe and free resp's body; resp may be NULL. */
void http_resp_clear(struct http_resp *resp);

/* "a=b&c=d" from name, value pairs (NULL-terminated), each part escaped
 * for application/x-www-form-urlencoded.  Caller frees with
 * xfree_secret(). */
char *http_form_encode(const char *const *fields);

/* s percent-encoded as in a URL's query (all but RFC 3986's unreserved
 * characters), and its reverse (any byte, so *len_r is its length;
 * NUL-terminated as well).  Caller frees (secrets: xfree_secret).  Like
 * http_form_encode(), they end the program when libcurl cannot be loaded
 * (an installation problem: the package depends on it). */
char *http_escape(const char *s);
char *http_unescape(const char *s, size_t *len_r);

#endif
