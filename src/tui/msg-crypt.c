/* msg-crypt.c: PGP/MIME (RFC 3156) and S/MIME (RFC 8551) for the message
 * view.  Signatures are verified and parts decrypted by GMime's crypto
 * contexts, which run gpg and gpgsm through gpgme with the user's own
 * keyrings ($GNUPGHOME, else ~/.gnupg); never a key server (offline). */
#include "config.h"

#include <gpgme.h>
#include <stdarg.h>
#include <string.h>

#include "popmuch/xmalloc.h"
#include "msg-int.h"

static void note(struct walk *w, int kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
note(struct walk *w, int kind, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	msg_add_line(w->v, s, strlen(s), kind);
	g_free(s);
}

/* "PGP" or "S/MIME", from the part's type or its protocol parameter. */
static const char *
proto_name(GMimeObject *obj)
{
	const char *p =
	    g_mime_object_get_content_type_parameter(obj, "protocol");
	char *low = p ? g_ascii_strdown(p, -1) : NULL;
	int smime = GMIME_IS_APPLICATION_PKCS7_MIME(obj) ||
		    (low && strstr(low, "pkcs7") != NULL);

	g_free(low);
	return smime ? "S/MIME" : "PGP";
}

/* Who a certificate names: "Name <email>", its user id, or NULL. */
static char *
cert_who(GMimeCertificate *c)
{
	const char *name = c ? g_mime_certificate_get_name(c) : NULL;
	const char *email = c ? g_mime_certificate_get_email(c) : NULL;
	const char *uid = c ? g_mime_certificate_get_user_id(c) : NULL;

	if (name && *name && email && *email)
		return g_strdup_printf("%s <%s>", name, email);
	if (uid && *uid)
		return g_strdup(uid);
	if (email && *email)
		return g_strdup(email);
	return name && *name ? g_strdup(name) : NULL;
}

static const char *
cert_key(GMimeCertificate *c)
{
	const char *k = c ? g_mime_certificate_get_fingerprint(c) : NULL;

	if (!k || !*k)
		k = c ? g_mime_certificate_get_key_id(c) : NULL;
	return k && *k ? k : "?";
}

/* The first user id of the key with id keyid in the keyring of proto,
 * or NULL: GMime names a recipient by key id only, so gpgme is asked. */
static char *
key_user(const char *proto, const char *keyid)
{
	static int checked;
	gpgme_ctx_t ctx;
	gpgme_key_t key = NULL;
	char *uid = NULL;

	if (!checked++)
		gpgme_check_version(NULL);
	if (!keyid || !*keyid || gpgme_new(&ctx) != GPG_ERR_NO_ERROR)
		return NULL;
	gpgme_set_protocol(ctx, strcmp(proto, "S/MIME") != 0
				    ? GPGME_PROTOCOL_OpenPGP
				    : GPGME_PROTOCOL_CMS);
	if (gpgme_get_key(ctx, keyid, &key, 0) == GPG_ERR_NO_ERROR && key &&
	    key->uids && key->uids->uid && *key->uids->uid)
		uid = g_strdup(key->uids->uid);
	if (key)
		gpgme_key_unref(key);
	gpgme_release(ctx);
	return uid;
}

/* Why a signature that is not bad is still not valid. */
static const char *
sig_why(GMimeSignatureStatus st)
{
	static const struct {
		GMimeSignatureStatus bit;
		const char *why;
	} whys[] = {
	    {GMIME_SIGNATURE_STATUS_KEY_REVOKED, "the key is revoked"},
	    {GMIME_SIGNATURE_STATUS_KEY_EXPIRED, "the key has expired"},
	    {GMIME_SIGNATURE_STATUS_SIG_EXPIRED, "the signature has expired"},
	    {GMIME_SIGNATURE_STATUS_CRL_MISSING,
	     "no CRL to check the certificate against"},
	    {GMIME_SIGNATURE_STATUS_CRL_TOO_OLD, "the CRL is too old"},
	    {GMIME_SIGNATURE_STATUS_BAD_POLICY, "a policy was not met"},
	    {GMIME_SIGNATURE_STATUS_TOFU_CONFLICT, "TOFU conflict"},
	};
	size_t i;

	for (i = 0; i < sizeof whys / sizeof whys[0]; i++)
		if (st & whys[i].bit)
			return whys[i].why;
	return "system error";
}

/* One line per signature: good (by whom), BAD, unknown key, or not
 * valid (why); the classes notmuch show --verify reports. */
static void
sig_lines(struct walk *w, const char *proto, GMimeSignatureList *sigs,
	  const GError *gerr)
{
	int i, n = sigs ? g_mime_signature_list_length(sigs) : 0;

	if (n <= 0)
		note(w, ML_BAD, "[%s signature: cannot be checked: %s]", proto,
		     gerr ? gerr->message : "no signature found");
	for (i = 0; i < n; i++) {
		GMimeSignature *sig =
		    g_mime_signature_list_get_signature(sigs, i);
		GMimeSignatureStatus st = g_mime_signature_get_status(sig);
		GMimeCertificate *c = g_mime_signature_get_certificate(sig);
		char *who = cert_who(c);
		const char *key = cert_key(c);

		if (st & GMIME_SIGNATURE_STATUS_RED)
			note(w, ML_BAD,
			     "[%s signature: BAD, claims to be from %s (key "
			     "%s): changed after signing, or forged]",
			     proto, who ? who : "an unknown signer", key);
		else if (st & GMIME_SIGNATURE_STATUS_KEY_MISSING)
			note(w, ML_NOTE,
			     "[%s signature: unknown key %s (not in your "
			     "keyring): not verified]",
			     proto, key);
		else if (st & GMIME_SIGNATURE_STATUS_ERROR_MASK)
			note(w, ML_BAD,
			     "[%s signature: not valid (%s), from %s (key "
			     "%s)]",
			     proto, sig_why(st), who ? who : "?", key);
		else
			note(w, ML_GOOD,
			     "[%s signature: good, from %s (key %s)%s]", proto,
			     who ? who : "?", key,
			     c && g_mime_certificate_get_id_validity(c) <
					 GMIME_VALIDITY_MARGINAL
				 ? "; the key is not certified"
				 : "");
		g_free(who);
	}
}

void
crypt_verify_signed(struct walk *w, GMimeMultipartSigned *mps)
{
	GError *gerr = NULL;
	GMimeSignatureList *sigs = NULL;

	/* GMime asserts (a CRITICAL) on a missing part */
	if (g_mime_multipart_get_count(GMIME_MULTIPART(mps)) < 2)
		g_set_error_literal(&gerr, GMIME_ERROR, GMIME_ERROR_PARSE_ERROR,
				    "the signature part is missing");
	else
		sigs = g_mime_multipart_signed_verify(mps, GMIME_VERIFY_NONE,
						      &gerr);

	sig_lines(w, proto_name(GMIME_OBJECT(mps)), sigs, gerr);
	if (sigs)
		g_object_unref(sigs);
	if (gerr)
		g_error_free(gerr);
}

/* The result of a decryption: to whom it was encrypted, or why not. */
static void
decrypt_lines(struct walk *w, const char *proto, GMimeObject *clear,
	      GMimeDecryptResult *res, const GError *gerr, int stashed)
{
	GMimeCertificateList *rc =
	    res ? g_mime_decrypt_result_get_recipients(res) : NULL;
	GMimeSignatureList *sigs =
	    res ? g_mime_decrypt_result_get_signatures(res) : NULL;
	GString *to = g_string_new(NULL);
	int i, n = rc ? g_mime_certificate_list_length(rc) : 0;

	for (i = 0; i < n; i++) {
		GMimeCertificate *c =
		    g_mime_certificate_list_get_certificate(rc, i);
		char *who = cert_who(c);

		if (!who)
			who = key_user(proto, g_mime_certificate_get_key_id(c));

		g_string_append_printf(to, "%s%s%s%s%s", i ? ", " : "",
				       who ? who : "", who ? " (key " : "key ",
				       cert_key(c), who ? ")" : "");
		g_free(who);
	}
	if (!clear)
		note(w, ML_BAD, "[%s encrypted: cannot decrypt: %s]", proto,
		     gerr && gerr->message ? gerr->message : "gpgme failed");
	else
		note(w, ML_GOOD, "[%s encrypted to %s: decrypted%s]", proto,
		     n ? to->str : "an unnamed key",
		     stashed ? " with the session key notmuch stashed" : "");
	g_string_free(to, TRUE);
	if (clear && sigs && g_mime_signature_list_length(sigs) > 0)
		sig_lines(w, proto, sigs, NULL);
}

/* Decrypt obj (multipart/encrypted, or pkcs7 enveloped data) with
 * session_key, else (NULL) with the secret key. */
static GMimeObject *
decrypt(GMimeObject *obj, const char *session_key, GMimeDecryptResult **res,
	GError **gerr)
{
	if (GMIME_IS_MULTIPART_ENCRYPTED(obj) &&
	    g_mime_multipart_get_count(GMIME_MULTIPART(obj)) < 2) {
		g_set_error_literal(gerr, GMIME_ERROR, GMIME_ERROR_PARSE_ERROR,
				    "the encrypted part is missing");
		return NULL;
	}
	if (GMIME_IS_MULTIPART_ENCRYPTED(obj))
		return g_mime_multipart_encrypted_decrypt(
		    GMIME_MULTIPART_ENCRYPTED(obj), GMIME_DECRYPT_NONE,
		    session_key, res, gerr);
	return g_mime_application_pkcs7_mime_decrypt(
	    GMIME_APPLICATION_PKCS7_MIME(obj), GMIME_DECRYPT_NONE, session_key,
	    res, gerr);
}

/* Decrypt with the session keys notmuch stashed, as notmuch show
 * --decrypt=auto does (no secret key needed), then with the secret key.
 * *stashed_r says which. */
static GMimeObject *
decrypt_any(struct walk *w, GMimeObject *obj, GMimeDecryptResult **res,
	    GError **gerr, int *stashed_r)
{
	GMimeObject *clear;
	char **k;

	*stashed_r = 1;
	for (k = w->keys; k && *k; k++) {
		GError *e = NULL;

		if ((clear = decrypt(obj, *k, res, &e)) != NULL)
			return clear;
		if (e)
			g_error_free(e);
		if (*res)
			g_object_unref(*res);
		*res = NULL;
	}
	*stashed_r = 0;
	return decrypt(obj, NULL, res, gerr);
}

/* S/MIME opaque signed data: verified, and the entity inside. */
static GMimeObject *
pkcs7_signed(struct walk *w, GMimeApplicationPkcs7Mime *p7, int lines)
{
	GMimeObject *clear = NULL;
	GError *gerr = NULL;
	GMimeSignatureList *sigs = g_mime_application_pkcs7_mime_verify(
	    p7, GMIME_VERIFY_NONE, &clear, &gerr);

	if (lines)
		sig_lines(w, "S/MIME", sigs, gerr);
	if (sigs)
		g_object_unref(sigs);
	if (gerr)
		g_error_free(gerr);
	if (clear)
		g_ptr_array_add(w->keep, clear);
	return clear;
}

GMimeObject *
crypt_open(struct walk *w, GMimeObject *obj, int show)
{
	GMimeDecryptResult *res = NULL;
	GMimeObject *clear = NULL;
	GError *gerr = NULL;
	int lines = w->v && show, stashed = 0;

	if (GMIME_IS_APPLICATION_PKCS7_MIME(obj)) {
		GMimeApplicationPkcs7Mime *p7 =
		    GMIME_APPLICATION_PKCS7_MIME(obj);

		switch (g_mime_application_pkcs7_mime_get_smime_type(p7)) {
		case GMIME_SECURE_MIME_TYPE_ENVELOPED_DATA:
			break;
		case GMIME_SECURE_MIME_TYPE_SIGNED_DATA:
			return pkcs7_signed(w, p7, lines);
		default:
			return NULL; /* compressed, certs only: a plain part */
		}
	} else if (!GMIME_IS_MULTIPART_ENCRYPTED(obj)) {
		return NULL;
	}
	clear = decrypt_any(w, obj, &res, &gerr, &stashed);
	if (w->v)
		w->v->decrypted = 1;
	if (lines)
		decrypt_lines(w, proto_name(obj), clear, res, gerr, stashed);
	if (res)
		g_object_unref(res);
	if (gerr)
		g_error_free(gerr);
	if (clear) {
		g_ptr_array_add(w->keep, clear);
		w->decrypted = 1;
	}
	return clear;
}

void
crypt_inline(struct walk *w, GMimePart *part, int show)
{
	int lines = w->v && show && !w->quiet;
	GMimeDecryptResult *res;
	GMimeSignatureList *sigs;
	GError *gerr = NULL;

	switch (g_mime_part_get_openpgp_data(part)) {
	case GMIME_OPENPGP_DATA_ENCRYPTED:
		/* in place: the part's content becomes the clear text */
		res = g_mime_part_openpgp_decrypt(part, GMIME_DECRYPT_NONE,
						  NULL, &gerr);
		if (w->v)
			w->v->decrypted = 1;
		if (lines)
			decrypt_lines(w, "inline PGP",
				      res ? GMIME_OBJECT(part) : NULL, res,
				      gerr, 0);
		if (res)
			g_object_unref(res);
		break;
	case GMIME_OPENPGP_DATA_SIGNED:
		if (!lines)
			break; /* saved as it is, armour and all */
		/* in place too: the content becomes the signed text */
		sigs =
		    g_mime_part_openpgp_verify(part, GMIME_VERIFY_NONE, &gerr);
		sig_lines(w, "inline PGP", sigs, gerr);
		if (sigs)
			g_object_unref(sigs);
		break;
	default:
		break;
	}
	if (gerr)
		g_error_free(gerr);
}
