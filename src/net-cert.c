/* net-cert.c: the server's certificate (see net-int.h): the pin
 * (tls_fingerprint), the chain against the trust store and the host
 * name, the refusal in plain words, and the description probe shows. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "popmuch/err.h"
#include "popmuch/log.h"
#include "popmuch/parse.h"
#include "popmuch/xmalloc.h"
#include "net-int.h"

/* "AA:BB:.." of the digest of der into out (3 * digest size bytes). */
static void
fingerprint(gnutls_digest_algorithm_t algo, const gnutls_datum_t *der,
	    char *out, size_t outsize)
{
	unsigned char md[64];
	size_t mdlen = sizeof(md), i;

	out[0] = '\0';
	if (gnutls_fingerprint(algo, der, md, &mdlen) < 0)
		return;
	for (i = 0; i < mdlen && 3 * i + 3 <= outsize; i++)
		(void)snprintf(out + 3 * i, 4, "%02X%s", md[i],
			       i + 1 < mdlen ? ":" : "");
}

/* Parse "aa:BB:.." (colons optional) into md; returns the byte count or
 * -1 when the text is not hex. */
static int
parse_pin(const char *s, unsigned char *md, size_t size)
{
	size_t n = 0;
	int hi, lo;

	while (*s != '\0') {
		if (*s == ':') {
			s++;
			continue;
		}
		hi = parse_hexdigit(s[0]);
		lo = hi < 0 ? -1 : parse_hexdigit(s[1]);
		if (n == size || lo < 0)
			return -1;
		md[n++] = (unsigned char)(hi << 4 | lo);
		s += 2;
	}
	return (int)n;
}

static enum pm_status
check_pin(const char *name, const char *pin, const gnutls_datum_t *der,
	  const char *sha256, struct pm_err *err)
{
	unsigned char want[64], got[64];
	size_t gotlen = sizeof(got);
	gnutls_digest_algorithm_t algo;
	int n = parse_pin(pin, want, sizeof(want));

	if (n == 32)
		algo = GNUTLS_DIG_SHA256;
	else if (n == 20)
		algo = GNUTLS_DIG_SHA1;
	else
		return err_set(err, PM_CONFIG,
			       "tls_fingerprint is not a "
			       "SHA-256 or SHA-1 fingerprint");
	if (gnutls_fingerprint(algo, der, got, &gotlen) < 0 ||
	    gotlen != (size_t)n || memcmp(got, want, gotlen) != 0)
		return err_set(err, PM_CERT,
			       "TLS certificate of %s refused: "
			       "it does not match the pinned fingerprint "
			       "(tls_fingerprint); SHA-256 fingerprint: %s",
			       name, sha256);
	return PM_OK;
}

static void
append(char *buf, size_t size, const char *text)
{
	size_t len = strlen(buf);

	(void)snprintf(buf + len, size - len, "%s%s", len ? "; " : "", text);
}

static void
time_text(time_t t, char *buf, size_t size)
{
	struct tm tm;

	if (t == (time_t)-1 || gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, size, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		(void)snprintf(buf, size, "unknown");
}

/* Reasons for the date flags, with the end-entity certificate's dates. */
static void
date_reasons(unsigned status, gnutls_x509_crt_t crt, char *buf, size_t size)
{
	static const struct {
		unsigned flag;
		time_t (*date)(gnutls_x509_crt_t);
		const char *what, *since;
	} dates[] = {
	    {GNUTLS_CERT_EXPIRED, gnutls_x509_crt_get_expiration_time,
	     "the certificate has expired", "until"},
	    {GNUTLS_CERT_NOT_ACTIVATED, gnutls_x509_crt_get_activation_time,
	     "the certificate is not yet activated", "from"},
	};
	char when[64], text[160];

	for (size_t i = 0; i < sizeof(dates) / sizeof(dates[0]); i++) {
		if (!(status & dates[i].flag))
			continue;
		time_text(dates[i].date(crt), when, sizeof(when));
		(void)snprintf(text, sizeof(text), "%s (valid %s %s)",
			       dates[i].what, dates[i].since, when);
		append(buf, size, text);
	}
}

static const struct {
	unsigned flag;
	const char *text;
} cert_reasons[] = {
    {GNUTLS_CERT_REVOKED, "the certificate has been revoked"},
    {GNUTLS_CERT_SIGNER_NOT_CA, "the issuer is not a CA"},
    {GNUTLS_CERT_INSECURE_ALGORITHM, "it uses an insecure algorithm"},
    {GNUTLS_CERT_SIGNATURE_FAILURE, "its signature is invalid"},
    {GNUTLS_CERT_SIGNER_CONSTRAINTS_FAILURE,
     "the issuer's constraints forbid it"},
    {GNUTLS_CERT_PURPOSE_MISMATCH, "it is not meant for a TLS server"},
    {GNUTLS_CERT_REVOCATION_DATA_SUPERSEDED, "the CRL is outdated"},
    {GNUTLS_CERT_REVOCATION_DATA_ISSUED_IN_FUTURE,
     "the CRL is issued in the future"},
    {GNUTLS_CERT_MISSING_OCSP_STATUS, "OCSP status missing"},
    {GNUTLS_CERT_INVALID_OCSP_STATUS, "OCSP status invalid"},
};

/* GnuTLS's own words, for flags the table does not know. */
static void
status_text(unsigned status, char *buf, size_t size)
{
	gnutls_datum_t out;

	if (gnutls_certificate_verification_status_print(
		status, GNUTLS_CRT_X509, &out, 0) < 0) {
		(void)snprintf(buf, size, "verification failed (status 0x%x)",
			       status);
		return;
	}
	(void)snprintf(buf, size, "%.*s", (int)out.size,
		       (const char *)out.data);
	gnutls_free(out.data);
}

/* Plain-words reasons for a verification status into buf. */
static void
describe_status(unsigned status, gnutls_x509_crt_t crt, unsigned nchain,
		const char *name, char *buf, size_t size)
{
	char text[320];
	size_t i;

	buf[0] = '\0';
	if (status & GNUTLS_CERT_SIGNER_NOT_FOUND) {
		if (nchain == 1 && gnutls_x509_crt_check_issuer(crt, crt))
			append(buf, size,
			       "the certificate is self-signed "
			       "and not trusted (unknown issuer)");
		else
			append(buf, size,
			       "the issuer is unknown (signer not "
			       "found in the trust store)");
	}
	date_reasons(status, crt, buf, size);
	if (status & GNUTLS_CERT_UNEXPECTED_OWNER) {
		(void)snprintf(text, sizeof(text),
			       "the certificate does not "
			       "match the host name %s",
			       name);
		append(buf, size, text);
	}
	for (i = 0; i < sizeof(cert_reasons) / sizeof(cert_reasons[0]); i++)
		if (status & cert_reasons[i].flag)
			append(buf, size, cert_reasons[i].text);
	if (buf[0] == '\0')
		status_text(status, buf, size);
}

static enum pm_status
verify_chain(gnutls_session_t s, const char *name, gnutls_x509_crt_t crt,
	     unsigned nchain, const char *sha256, struct pm_err *err)
{
	unsigned status = 0;
	char why[768];
	int r;

	r = gnutls_certificate_verify_peers3(s, name, &status);
	if (r < 0)
		return err_set(err, PM_CERT,
			       "TLS certificate of %s refused: "
			       "%s; SHA-256 fingerprint: %s",
			       name, gnutls_strerror(r), sha256);
	if (status == 0)
		return PM_OK;
	describe_status(status, crt, nchain, name, why, sizeof(why));
	return err_set(err, PM_CERT,
		       "TLS certificate of %s refused: %s; "
		       "SHA-256 fingerprint: %s",
		       name, why, sha256);
}

enum pm_status
net_cert_check(gnutls_session_t s, const char *name,
	       const struct net_tls_opts *o, struct pm_err *err)
{
	const gnutls_datum_t *chain;
	unsigned nchain = 0;
	gnutls_x509_crt_t crt;
	char sha256[3 * 32];
	enum pm_status st;

	if (!o->certcheck)
		return PM_OK;
	chain = gnutls_certificate_get_peers(s, &nchain);
	if (chain == NULL || nchain == 0)
		return err_set(err, PM_CERT, "TLS: %s sent no certificate",
			       name);
	fingerprint(GNUTLS_DIG_SHA256, &chain[0], sha256, sizeof(sha256));
	if (o->fingerprint != NULL)
		return check_pin(name, o->fingerprint, &chain[0], sha256, err);
	if (gnutls_x509_crt_init(&crt) < 0)
		fatal("out of memory");
	if (gnutls_x509_crt_import(crt, &chain[0], GNUTLS_X509_FMT_DER) < 0) {
		gnutls_x509_crt_deinit(crt);
		return err_set(err, PM_CERT,
			       "TLS certificate of %s refused: "
			       "cannot parse it; SHA-256 fingerprint: %s",
			       name, sha256);
	}
	st = verify_chain(s, name, crt, nchain, sha256, err);
	gnutls_x509_crt_deinit(crt);
	return st;
}

static void
copy_escaped(char *dst, size_t size, const gnutls_datum_t *d)
{
	char *esc = log_escape((const char *)d->data, d->size, size - 4);

	(void)snprintf(dst, size, "%s", esc);
	free(esc);
}

void
net_cert_info(const gnutls_datum_t *der, struct net_tls_info *info)
{
	gnutls_x509_crt_t crt;
	gnutls_datum_t dn;

	fingerprint(GNUTLS_DIG_SHA256, der, info->sha256, sizeof(info->sha256));
	fingerprint(GNUTLS_DIG_SHA1, der, info->sha1, sizeof(info->sha1));
	if (gnutls_x509_crt_init(&crt) < 0)
		fatal("out of memory");
	if (gnutls_x509_crt_import(crt, der, GNUTLS_X509_FMT_DER) == 0) {
		if (gnutls_x509_crt_get_dn3(crt, &dn, 0) == 0) {
			copy_escaped(info->subject, sizeof(info->subject), &dn);
			gnutls_free(dn.data);
		}
		if (gnutls_x509_crt_get_issuer_dn3(crt, &dn, 0) == 0) {
			copy_escaped(info->issuer, sizeof(info->issuer), &dn);
			gnutls_free(dn.data);
		}
		info->not_before = gnutls_x509_crt_get_activation_time(crt);
		info->not_after = gnutls_x509_crt_get_expiration_time(crt);
	}
	gnutls_x509_crt_deinit(crt);
}
