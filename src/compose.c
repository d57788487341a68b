/* compose.c: the draft of a new message, a reply or a forward (see
 * compose.h).  The reply rules follow notmuch reply: Reply-To unless a
 * mailing list munged it (its one address is already in To or Cc), the
 * person's own addresses dropped, From the address the original was
 * sent to; reply-all uses Mail-Followup-To when the original has one. */
#include "config.h"

#include <fcntl.h>
#include <gmime/gmime.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "popmuch/compose.h"
#include "popmuch/xmalloc.h"
#include "compose-int.h"
#include "tui/msg.h" /* the text of a message, as the TUI shows it */

/* The recipients being collected, each address once. */
struct rcpts {
	GPtrArray *to, *cc; /* formatted "Name <addr>" (g_free) */
	GPtrArray *seen;    /* addr-specs (g_free) */
	const struct identities *ids;
	const struct identity *mine; /* first own address met */
};

GMimeMessage *
compose_parse_file(const char *path, struct pm_err *err)
{
	GMimeStream *fs;
	GMimeParser *parser;
	GMimeMessage *m;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		err_set(err, PM_IOERR, "%s: cannot open", path);
		return NULL;
	}
	fs = g_mime_stream_fs_new(fd);
	parser = g_mime_parser_new_with_stream(fs);
	m = g_mime_parser_construct_message(parser, NULL);
	g_object_unref(parser);
	g_object_unref(fs);
	if (m == NULL)
		err_set(err, PM_DATAERR, "%s: not a mail message", path);
	return m;
}

static int
seen(struct rcpts *r, const char *addr)
{
	for (guint i = 0; i < r->seen->len; i++)
		if (g_ascii_strcasecmp(g_ptr_array_index(r->seen, i), addr) ==
		    0)
			return 1;
	return 0;
}

/* Add the mailboxes of l (groups flattened) to dst, or only note own
 * addresses when dst is NULL.  Returns how many were added. */
static int
scan(struct rcpts *r, InternetAddressList *l, GPtrArray *dst)
{
	int n = 0, len = l ? internet_address_list_length(l) : 0;

	for (int i = 0; i < len; i++) {
		InternetAddress *ia = internet_address_list_get_address(l, i);
		const char *addr;
		const struct identity *id;

		if (INTERNET_ADDRESS_IS_GROUP(ia)) {
			n += scan(r,
				  internet_address_group_get_members(
				      INTERNET_ADDRESS_GROUP(ia)),
				  dst);
			continue;
		}
		addr = internet_address_mailbox_get_addr(
		    INTERNET_ADDRESS_MAILBOX(ia));
		if (addr == NULL || *addr == '\0')
			continue;
		if ((id = identities_find(r->ids, addr)) != NULL) {
			if (r->mine == NULL)
				r->mine = id;
			continue;
		}
		if (dst == NULL || seen(r, addr))
			continue;
		g_ptr_array_add(r->seen, g_strdup(addr));
		g_ptr_array_add(dst,
				internet_address_to_string(ia, NULL, FALSE));
		n++;
	}
	return n;
}

static InternetAddressList *
header_list(GMimeMessage *m, const char *name)
{
	const char *v = g_mime_object_get_header(GMIME_OBJECT(m), name);

	return v ? internet_address_list_parse(NULL, v) : NULL;
}

/* A Reply-To a mailing list munged: one address, already in To or Cc. */
static int
reply_to_redundant(GMimeMessage *m)
{
	InternetAddressList *rt = g_mime_message_get_reply_to(m);
	InternetAddress *ia;
	const char *addr;
	GMimeAddressType types[] = {GMIME_ADDRESS_TYPE_TO,
				    GMIME_ADDRESS_TYPE_CC};

	if (internet_address_list_length(rt) != 1 ||
	    !INTERNET_ADDRESS_IS_MAILBOX(
		ia = internet_address_list_get_address(rt, 0)))
		return 0;
	addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
	for (int t = 0; t < 2; t++) {
		InternetAddressList *l =
		    g_mime_message_get_addresses(m, types[t]);

		for (int i = 0; i < internet_address_list_length(l); i++) {
			ia = internet_address_list_get_address(l, i);
			if (INTERNET_ADDRESS_IS_MAILBOX(ia) &&
			    g_ascii_strcasecmp(
				internet_address_mailbox_get_addr(
				    INTERNET_ADDRESS_MAILBOX(ia)),
				addr) == 0)
				return 1;
		}
	}
	return 0;
}

static void
reply_recipients(struct rcpts *r, GMimeMessage *m, int all)
{
	InternetAddressList *to = g_mime_message_get_to(m);
	InternetAddressList *cc = g_mime_message_get_cc(m);
	InternetAddressList *rt = g_mime_message_get_reply_to(m);
	InternetAddressList *mft =
	    all ? header_list(m, "Mail-Followup-To") : NULL;
	InternetAddressList *sender =
	    internet_address_list_length(rt) > 0 && !reply_to_redundant(m)
		? rt
		: g_mime_message_get_from(m);

	if (mft != NULL && internet_address_list_length(mft) > 0) {
		scan(r, mft, r->to);
	} else if (scan(r, sender, r->to) == 0 || all) {
		/* all, or a reply to one's own message: its recipients */
		scan(r, to, r->to);
		scan(r, cc, all ? r->cc : r->to);
	}
	scan(r, to, NULL);
	scan(r, cc, NULL);
	if (mft != NULL)
		g_object_unref(mft);
}

/* The own address the original was delivered to, when To and Cc did not
 * show it. */
static void
delivered_to(struct rcpts *r, GMimeMessage *m)
{
	static const char *const hdrs[] = {"Envelope-To", "X-Original-To",
					   "Delivered-To"};

	for (size_t i = 0; i < 3 && r->mine == NULL; i++) {
		InternetAddressList *l = header_list(m, hdrs[i]);

		if (l != NULL) {
			scan(r, l, NULL);
			g_object_unref(l);
		}
	}
}

static void
put_list(GString *d, const char *name, GPtrArray *a, const char *const *more,
	 size_t nmore)
{
	g_string_append_printf(d, "%s: ", name);
	for (guint i = 0; a != NULL && i < a->len; i++)
		g_string_append_printf(d, "%s%s", i ? ", " : "",
				       (char *)g_ptr_array_index(a, i));
	for (size_t i = 0; i < nmore; i++)
		g_string_append_printf(d, "%s%s",
				       (a && a->len) || i ? ", " : "", more[i]);
	g_string_append_c(d, '\n');
}

/* subject with every leading "Re:" (or "Fwd:"/"Fw:") dropped and one
 * put back. */
static char *
one_prefix(const char *subject, int fwd)
{
	const char *s = subject ? subject : "";

	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (!fwd && g_ascii_strncasecmp(s, "re:", 3) == 0)
			s += 3;
		else if (fwd && g_ascii_strncasecmp(s, "fwd:", 4) == 0)
			s += 4;
		else if (fwd && g_ascii_strncasecmp(s, "fw:", 3) == 0)
			s += 3;
		else
			break;
	}
	return xasprintf("%s %s", fwd ? "Fwd:" : "Re:", s);
}

/* The original's text as rendered for reading: charsets decoded, HTML
 * through html_cmd.  Appended to d, each line after prefix. */
static void
put_body(GString *d, const char *path, const char *html_cmd, const char *prefix)
{
	struct msg_view *v = NULL;
	struct pm_err err;
	size_t i = 0, end;

	if (msg_render(path, MSG_NORMAL, html_cmd, &v, &err) != PM_OK)
		return;
	while (i < v->nlines && v->kinds[i] == ML_HEADER)
		i++;
	while (i < v->nlines && v->lines[i][0] == '\0')
		i++;
	for (end = v->nlines; end > i && v->lines[end - 1][0] == '\0'; end--)
		;
	for (; i < end; i++) {
		if (v->kinds[i] == ML_NOTE)
			continue;
		if (prefix == NULL)
			g_string_append_printf(d, "%s\n", v->lines[i]);
		else if (v->lines[i][0] == '\0' || v->lines[i][0] == '>')
			g_string_append_printf(d, ">%s\n", v->lines[i]);
		else
			g_string_append_printf(d, "%s%s\n", prefix,
					       v->lines[i]);
	}
	msg_view_free(&v);
}

static char *
display_from(GMimeMessage *m)
{
	InternetAddressList *l = g_mime_message_get_from(m);
	InternetAddress *ia = internet_address_list_length(l) > 0
				  ? internet_address_list_get_address(l, 0)
				  : NULL;
	const char *name = ia ? internet_address_get_name(ia) : NULL;

	if (name != NULL && *name != '\0')
		return xstrdup(name);
	if (ia != NULL && INTERNET_ADDRESS_IS_MAILBOX(ia))
		return xstrdup(internet_address_mailbox_get_addr(
		    INTERNET_ADDRESS_MAILBOX(ia)));
	return xstrdup("someone");
}

static void
put_thread_headers(GString *d, GMimeMessage *m)
{
	const char *id = g_mime_message_get_message_id(m);
	const char *refs =
	    g_mime_object_get_header(GMIME_OBJECT(m), "References");
	const char *irt =
	    g_mime_object_get_header(GMIME_OBJECT(m), "In-Reply-To");
	char *folded;

	if (id == NULL)
		return;
	if (refs == NULL)
		refs = irt;
	g_string_append_printf(d, "In-Reply-To: <%s>\n", id);
	folded = g_strdup(refs ? refs : "");
	g_strdelimit(folded, "\r\n\t", ' ');
	g_strstrip(folded);
	g_string_append_printf(d, "References: %s%s<%s>\n", folded,
			       *folded ? " " : "", id);
	g_free(folded);
}

static void
put_forward_intro(GString *d, GMimeMessage *m)
{
	static const char *const hdrs[] = {"From", "Date", "Subject", "To",
					   "Cc"};

	g_string_append(d, "\n-------- Forwarded message --------\n");
	for (size_t i = 0; i < 5; i++) {
		const char *v =
		    g_mime_object_get_header(GMIME_OBJECT(m), hdrs[i]);
		char *dec;

		if (v == NULL)
			continue;
		dec = g_mime_utils_header_decode_text(NULL, v);
		g_strdelimit(dec, "\r\n\t", ' ');
		g_string_append_printf(d, "%s: %s\n", hdrs[i], dec);
		g_free(dec);
	}
	g_string_append_c(d, '\n');
}

/* From, and the PGP default of its account. */
static void
put_from(GString *d, const struct identity *id)
{
	char *name = identity_format(id);

	g_string_append_printf(d, "From: %s\n", name);
	if (id->pgp != NULL)
		g_string_append_printf(d, "PGP: %s\n", id->pgp);
	free(name);
}

/* Headers and body of a reply or forward of m. */
static void
draft_from_orig(GString *d, struct rcpts *r, GMimeMessage *m,
		const struct compose_opts *o)
{
	int fwd =
	    o->kind == COMPOSE_FORWARD || o->kind == COMPOSE_FORWARD_ATTACHED;
	char *subj = one_prefix(
	    o->subject ? o->subject : g_mime_message_get_subject(m), fwd);

	if (!fwd)
		reply_recipients(r, m, o->kind == COMPOSE_REPLY_ALL);
	else
		scan(r, g_mime_message_get_addresses(m, GMIME_ADDRESS_TYPE_TO),
		     NULL);
	scan(r, g_mime_message_get_cc(m), NULL);
	delivered_to(r, m);
	put_from(d, r->mine ? r->mine : &r->ids->v[0]);
	put_list(d, "To", r->to, o->to, o->nto);
	put_list(d, "Cc", r->cc, o->cc, o->ncc);
	g_string_append_printf(d, "Bcc: \nSubject: %s\n", subj);
	free(subj);
	if (!fwd)
		put_thread_headers(d, m);
}

enum pm_status
compose_draft(const struct identities *ids, const struct compose_opts *o,
	      char **draft_r, struct pm_err *err)
{
	struct rcpts r = {g_ptr_array_new_with_free_func(g_free),
			  g_ptr_array_new_with_free_func(g_free),
			  g_ptr_array_new_with_free_func(g_free), ids, NULL};
	GString *d = g_string_new(NULL);
	GMimeMessage *m = NULL;
	/* The original is read twice (its header here, its text in
	 * put_body): through one descriptor, so that a rename in between
	 * (the TUI's tagger gives a message it marks read flag S) cannot
	 * leave the quote empty. */
	int fd = o->kind != COMPOSE_NEW
		     ? open(o->orig_path, O_RDONLY | O_CLOEXEC)
		     : -1;
	char *pinned = fd >= 0 ? xasprintf("/proc/self/fd/%d", fd) : NULL;
	const char *orig = pinned != NULL ? pinned : o->orig_path;

	g_mime_init();
	if (o->kind != COMPOSE_NEW &&
	    (m = compose_parse_file(orig, err)) == NULL) {
		if (pinned != NULL) /* the error names the file itself */
			err_set(err, err->code, "%s: not a mail message",
				o->orig_path);
		free(pinned);
		if (fd >= 0)
			close(fd);
		g_string_free(d, TRUE);
		g_ptr_array_unref(r.to), g_ptr_array_unref(r.cc);
		g_ptr_array_unref(r.seen);
		return err->code;
	}
	if (m != NULL) {
		draft_from_orig(d, &r, m, o);
	} else {
		put_from(d, &ids->v[0]);
		put_list(d, "To", NULL, o->to, o->nto);
		put_list(d, "Cc", NULL, o->cc, o->ncc);
		g_string_append_printf(d, "Bcc: \nSubject: %s\n",
				       o->subject ? o->subject : "");
	}
	for (size_t i = 0; i < o->nattach; i++)
		g_string_append_printf(d, "Attach: %s\n", o->attach[i]);
	if (o->kind == COMPOSE_FORWARD_ATTACHED)
		g_string_append_printf(d, "Forward: %s\n", o->orig_path);
	g_string_append(d, "\n");
	if (o->kind == COMPOSE_REPLY || o->kind == COMPOSE_REPLY_ALL) {
		const char *date =
		    g_mime_object_get_header(GMIME_OBJECT(m), "Date");
		char *name = display_from(m);

		g_string_append_printf(d, "On %s, %s wrote:\n",
				       date ? date : "an unknown date", name);
		free(name);
		put_body(d, orig, o->html_cmd, "> ");
	} else if (o->kind == COMPOSE_FORWARD) {
		put_forward_intro(d, m);
		put_body(d, orig, o->html_cmd, NULL);
	}
	free(pinned);
	if (fd >= 0)
		close(fd);
	if (m != NULL)
		g_object_unref(m);
	g_ptr_array_unref(r.to), g_ptr_array_unref(r.cc);
	g_ptr_array_unref(r.seen);
	*draft_r = xstrdup(d->str);
	g_string_free(d, TRUE);
	return PM_OK;
}

int
compose_draft_is_empty(const char *draft)
{
	for (; *draft != '\0'; draft++)
		if (*draft != ' ' && *draft != '\t' && *draft != '\n' &&
		    *draft != '\r')
			return 0;
	return 1;
}
