/* draft.c: a draft becomes a MIME message, built with GMime (see
 * compose.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <gmime/gmime.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "popmuch/compose.h"
#include "popmuch/xmalloc.h"
#include "compose-int.h"

struct build {
	GMimeMessage *m;
	GPtrArray *attach;  /* file names (g_free) */
	GPtrArray *forward; /* message files (g_free) */
	int nrcpt;
	int sign, encrypt; /* "PGP: sign" or "PGP: encrypt" */
	char *from_addr;
	struct pm_err *err;
};

/* Every mailbox in l must have an addr-spec with an "@". */
static int
check_addrs(InternetAddressList *l, struct build *b, const char *hdr)
{
	for (int i = 0; i < internet_address_list_length(l); i++) {
		InternetAddress *ia = internet_address_list_get_address(l, i);
		const char *addr;

		if (INTERNET_ADDRESS_IS_GROUP(ia)) {
			if (check_addrs(internet_address_group_get_members(
					    INTERNET_ADDRESS_GROUP(ia)),
					b, hdr) != 0)
				return -1;
			continue;
		}
		addr = internet_address_mailbox_get_addr(
		    INTERNET_ADDRESS_MAILBOX(ia));
		if (addr == NULL || strchr(addr, '@') == NULL) {
			err_set(b->err, PM_DATAERR,
				"%s: \"%.200s\" is not a mail address", hdr,
				addr ? addr : "");
			return -1;
		}
		b->nrcpt++;
	}
	return 0;
}

static int
set_from(struct build *b, const char *value)
{
	InternetAddressList *l = internet_address_list_parse(NULL, value);
	InternetAddress *ia;
	int rc = -1, nrcpt = b->nrcpt;

	if (l == NULL || internet_address_list_length(l) != 1 ||
	    !INTERNET_ADDRESS_IS_MAILBOX(
		ia = internet_address_list_get_address(l, 0)))
		err_set(b->err, PM_DATAERR,
			"From: \"%.200s\" is not one address", value);
	else if (check_addrs(l, b, "From") == 0) {
		internet_address_list_append(g_mime_message_get_from(b->m), l);
		free(b->from_addr);
		b->from_addr = xstrdup(internet_address_mailbox_get_addr(
		    INTERNET_ADDRESS_MAILBOX(ia)));
		rc = 0;
	}
	b->nrcpt = nrcpt; /* From is no recipient */
	if (l != NULL)
		g_object_unref(l);
	return rc;
}

static int
add_rcpts(struct build *b, GMimeAddressType type, const char *hdr,
	  const char *value)
{
	InternetAddressList *l = internet_address_list_parse(NULL, value);
	int rc = 0;

	if (l == NULL)
		return *value
		       ? err_set(b->err, PM_DATAERR,
				 "%s: cannot read \"%.200s\"", hdr, value),
		       -1 : 0;
	if ((rc = check_addrs(l, b, hdr)) == 0)
		internet_address_list_append(
		    g_mime_message_get_addresses(b->m, type), l);
	g_object_unref(l);
	return rc;
}

/* "PGP: sign", "PGP: encrypt" (signed and encrypted), "PGP: off". */
static int
set_pgp(struct build *b, const char *value)
{
	b->sign = g_ascii_strcasecmp(value, "sign") == 0 ||
		  g_ascii_strcasecmp(value, "encrypt") == 0;
	b->encrypt = g_ascii_strcasecmp(value, "encrypt") == 0;
	if (b->sign || g_ascii_strcasecmp(value, "off") == 0)
		return 0;
	err_set(b->err, PM_DATAERR,
		"PGP: \"%.100s\": write sign, encrypt or off", value);
	return -1;
}

/* One header of the draft, value unfolded and trimmed. */
static int
take_header(struct build *b, const char *name, const char *value)
{
	GMimeObject *o = GMIME_OBJECT(b->m);

	if (g_ascii_strcasecmp(name, "From") == 0)
		return set_from(b, value);
	if (g_ascii_strcasecmp(name, "To") == 0)
		return add_rcpts(b, GMIME_ADDRESS_TYPE_TO, "To", value);
	if (g_ascii_strcasecmp(name, "Cc") == 0)
		return add_rcpts(b, GMIME_ADDRESS_TYPE_CC, "Cc", value);
	if (g_ascii_strcasecmp(name, "Bcc") == 0)
		return add_rcpts(b, GMIME_ADDRESS_TYPE_BCC, "Bcc", value);
	if (*value == '\0')
		return 0;
	if (g_ascii_strcasecmp(name, "Subject") == 0)
		g_mime_message_set_subject(b->m, value, "utf-8");
	else if (g_ascii_strcasecmp(name, "Attach") == 0)
		g_ptr_array_add(b->attach, g_strdup(value));
	else if (g_ascii_strcasecmp(name, "Forward") == 0)
		g_ptr_array_add(b->forward, g_strdup(value));
	else if (g_ascii_strcasecmp(name, "PGP") == 0)
		return set_pgp(b, value);
	else if (g_ascii_strcasecmp(name, "Date") == 0 ||
		 g_ascii_strcasecmp(name, "Message-ID") == 0 ||
		 g_ascii_strncasecmp(name, "Content-", 8) == 0 ||
		 g_ascii_strcasecmp(name, "MIME-Version") == 0)
		return 0; /* generated */
	else
		g_mime_object_append_header(o, name, value, "utf-8");
	return 0;
}

/* Parse the header block [s, end); returns 0 or -1 with err set. */
static int
parse_headers(struct build *b, const char *s, const char *end)
{
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *colon;
		GString *v;
		char *name;
		int rc;

		if (nl == NULL)
			nl = end;
		colon = memchr(s, ':', (size_t)(nl - s));
		if (colon == NULL || colon == s ||
		    memchr(s, ' ', (size_t)(colon - s)) != NULL) {
			err_set(b->err, PM_DATAERR,
				"the header line \"%.*s\" has no \"Name:\" "
				"(the headers end at the first empty line)",
				(int)(nl - s > 80 ? 80 : nl - s), s);
			return -1;
		}
		name = g_strndup(s, (gsize)(colon - s));
		v = g_string_new_len(colon + 1, nl - colon - 1);
		/* continuation lines start with a blank */
		for (s = nl + 1; s < end && (*s == ' ' || *s == '\t');
		     s = nl + 1) {
			nl = memchr(s, '\n', (size_t)(end - s));
			if (nl == NULL)
				nl = end;
			while (s < nl && (*s == ' ' || *s == '\t'))
				s++;
			g_string_append_c(v, ' ');
			g_string_append_len(v, s, nl - s);
		}
		g_strstrip(v->str);
		rc = take_header(b, name, v->str);
		g_free(name);
		g_string_free(v, TRUE);
		if (rc != 0)
			return -1;
	}
	return 0;
}

/* Give part the best transfer encoding under the 7bit constraint:
 * 7bit for short ASCII lines, else quoted-printable or base64. */
static void
encode_part(GMimePart *part)
{
	g_mime_part_set_content_encoding(
	    part, g_mime_part_get_best_content_encoding(
		      part, GMIME_ENCODING_CONSTRAINT_7BIT));
}

static void
set_content(GMimePart *part, const char *data, size_t len)
{
	GMimeStream *mem = g_mime_stream_mem_new_with_buffer(data, len);
	GMimeDataWrapper *dw = g_mime_data_wrapper_new_with_stream(
	    mem, GMIME_CONTENT_ENCODING_DEFAULT);

	g_mime_part_set_content(part, dw);
	g_object_unref(dw);
	g_object_unref(mem);
}

static GMimeObject *
text_part(const char *body)
{
	GMimePart *p = GMIME_PART(g_mime_text_part_new_with_subtype("plain"));
	int ascii = 1;

	for (const char *s = body; *s; s++)
		ascii &= (unsigned char)*s < 0x80;
	g_mime_object_set_content_type_parameter(GMIME_OBJECT(p), "charset",
						 ascii ? "us-ascii" : "utf-8");
	set_content(p, body, strlen(body));
	encode_part(p);
	return GMIME_OBJECT(p);
}

static GMimeObject *
file_part(struct build *b, const char *path)
{
	gchar *data = NULL, *type, *mime, *base;
	gsize len = 0;
	GError *gerr = NULL;
	GMimePart *p;
	GMimeContentType *ct;

	if (!g_file_get_contents(path, &data, &len, &gerr)) {
		err_set(b->err, PM_IOERR, "Attach: %s: %s", path,
			gerr->message);
		g_error_free(gerr);
		return NULL;
	}
	type = g_content_type_guess(path, (const guchar *)data, len, NULL);
	mime = type ? g_content_type_get_mime_type(type) : NULL;
	ct = g_mime_content_type_parse(NULL, mime && strchr(mime, '/')
						 ? mime
						 : "application/octet-stream");
	p = g_mime_part_new();
	g_mime_object_set_content_type(GMIME_OBJECT(p), ct);
	g_object_unref(ct);
	base = g_path_get_basename(path);
	g_mime_part_set_filename(p, base); /* RFC 2231 when not ASCII */
	set_content(p, data, len);
	encode_part(p);
	g_free(base), g_free(mime), g_free(type), g_free(data);
	return GMIME_OBJECT(p);
}

static GMimeObject *
message_part(struct build *b, const char *path)
{
	GMimeMessage *fwd = compose_parse_file(path, b->err);
	GMimeMessagePart *mp;

	if (fwd == NULL) {
		err_prefix(b->err, "Forward");
		return NULL;
	}
	mp = g_mime_message_part_new_with_message("rfc822", fwd);
	g_mime_object_set_disposition(GMIME_OBJECT(mp), "inline");
	g_object_unref(fwd);
	return GMIME_OBJECT(mp);
}

/* The body, and a multipart/mixed with the attachments when any. */
static int
build_body(struct build *b, const char *body)
{
	GMimeObject *text = text_part(body), *part;
	GMimeMultipart *mixed;

	if (b->attach->len == 0 && b->forward->len == 0) {
		g_mime_message_set_mime_part(b->m, text);
		g_object_unref(text);
		return 0;
	}
	mixed = g_mime_multipart_new_with_subtype("mixed");
	g_mime_multipart_add(mixed, text);
	g_object_unref(text);
	for (guint i = 0; i < b->forward->len + b->attach->len; i++) {
		part = i < b->forward->len
			   ? message_part(b, g_ptr_array_index(b->forward, i))
			   : file_part(b, g_ptr_array_index(
					      b->attach, i - b->forward->len));
		if (part == NULL) {
			g_object_unref(mixed);
			return -1;
		}
		g_mime_multipart_add(mixed, part);
		g_object_unref(part);
	}
	g_mime_message_set_mime_part(b->m, GMIME_OBJECT(mixed));
	g_object_unref(mixed);
	return 0;
}

/* The addresses to encrypt to: every recipient and the sender (so the
 * sent copy stays readable). */
static GPtrArray *
pgp_recipients(struct build *b)
{
	InternetAddressList *all = g_mime_message_get_all_recipients(b->m);
	GPtrArray *v = g_ptr_array_new_with_free_func(g_free);

	for (int i = 0; all && i < internet_address_list_length(all); i++) {
		InternetAddress *ia = internet_address_list_get_address(all, i);

		if (INTERNET_ADDRESS_IS_MAILBOX(ia))
			g_ptr_array_add(
			    v, g_strdup(internet_address_mailbox_get_addr(
				   INTERNET_ADDRESS_MAILBOX(ia))));
	}
	g_ptr_array_add(v, g_strdup(b->from_addr));
	if (all != NULL)
		g_object_unref(all);
	return v;
}

/* PGP/MIME (RFC 3156) through GMime's gpgme context, the key of the
 * From address signing. */
static int
pgp_wrap(struct build *b)
{
	GMimeCryptoContext *ctx = g_mime_gpg_context_new();
	GMimeObject *body = g_mime_message_get_mime_part(b->m), *out = NULL;
	GError *gerr = NULL;
	GPtrArray *rcpts;

	if (ctx == NULL) {
		err_set(b->err, PM_SOFTWARE, "PGP: GMime has no gpg support");
		return -1;
	}
	if (b->encrypt) {
		rcpts = pgp_recipients(b);
		out = GMIME_OBJECT(g_mime_multipart_encrypted_encrypt(
		    ctx, body, TRUE, b->from_addr, GMIME_ENCRYPT_NONE, rcpts,
		    &gerr));
		g_ptr_array_unref(rcpts);
	} else {
		out = GMIME_OBJECT(g_mime_multipart_signed_sign(
		    ctx, body, b->from_addr, &gerr));
	}
	g_object_unref(ctx);
	if (out == NULL) {
		err_set(b->err, PM_DATAERR, "PGP: cannot %s as %s: %s",
			b->encrypt ? "encrypt" : "sign", b->from_addr,
			gerr ? gerr->message : "gpg failed");
		if (gerr != NULL)
			g_error_free(gerr);
		return -1;
	}
	g_mime_message_set_mime_part(b->m, out);
	g_object_unref(out);
	return 0;
}

static void
stamp(struct build *b, struct compose_msg *cm)
{
	const char *at = strrchr(b->from_addr, '@');
	GDateTime *now = g_date_time_new_now_local();
	char *id = g_mime_utils_generate_message_id(at ? at + 1 : "popmuch");
	const char *irt =
	    g_mime_object_get_header(GMIME_OBJECT(b->m), "In-Reply-To");

	g_mime_message_set_date(b->m, now);
	g_date_time_unref(now);
	g_mime_message_set_message_id(b->m, id);
	cm->message_id = xstrdup(id);
	g_free(id);
	g_mime_object_set_header(GMIME_OBJECT(b->m), "User-Agent",
				 "popmuch/" PACKAGE_VERSION, NULL);
	if (irt != NULL) {
		char *dec = g_mime_utils_decode_message_id(irt);

		cm->in_reply_to = dec ? xstrdup(dec) : NULL;
		g_free(dec);
	}
}

static void
serialize(GMimeMessage *m, struct compose_msg *cm)
{
	GMimeStream *mem = g_mime_stream_mem_new();
	GMimeFormatOptions *fo = g_mime_format_options_new();
	GByteArray *ba;

	g_mime_format_options_set_newline_format(fo, GMIME_NEWLINE_FORMAT_UNIX);
	g_mime_object_write_to_stream(GMIME_OBJECT(m), fo, mem);
	ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	cm->len = ba->len;
	cm->data = xmalloc(ba->len + 1);
	memcpy(cm->data, ba->data, ba->len);
	cm->data[ba->len] = '\0';
	g_mime_format_options_free(fo);
	g_object_unref(mem);
}

enum pm_status
compose_build(const char *draft, struct compose_msg **m_r, struct pm_err *err)
{
	struct build b = {0};
	const char *sep = strstr(draft, "\n\n");
	const char *hend = sep ? sep + 1 : draft + strlen(draft);
	const char *body = sep ? sep + 2 : "";
	struct compose_msg *cm;
	int rc;

	g_mime_init();
	b.m = g_mime_message_new(TRUE);
	b.attach = g_ptr_array_new_with_free_func(g_free);
	b.forward = g_ptr_array_new_with_free_func(g_free);
	b.err = err;
	if ((rc = parse_headers(&b, draft, hend)) == 0 && b.from_addr == NULL) {
		err_set(err, PM_DATAERR, "no From: header");
		rc = -1;
	}
	if (rc == 0 && b.nrcpt == 0) {
		err_set(err, PM_DATAERR,
			"no recipient: To, Cc and Bcc are empty");
		rc = -1;
	}
	if (rc == 0)
		rc = build_body(&b, body);
	if (rc == 0 && b.sign)
		rc = pgp_wrap(&b);
	if (rc == 0) {
		cm = xcalloc(1, sizeof(*cm));
		stamp(&b, cm);
		serialize(b.m, cm);
		cm->from_addr = b.from_addr;
		b.from_addr = NULL;
		*m_r = cm;
	}
	free(b.from_addr);
	g_ptr_array_unref(b.attach);
	g_ptr_array_unref(b.forward);
	g_object_unref(b.m);
	return rc == 0 ? PM_OK : err->code;
}

void
compose_msg_free(struct compose_msg **m)
{
	if (*m == NULL)
		return;
	free((*m)->data);
	free((*m)->from_addr);
	free((*m)->message_id);
	free((*m)->in_reply_to);
	free(*m);
	*m = NULL;
}
