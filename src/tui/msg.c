/* msg.c: rendering a message file with GMime 3. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gmime/gmime.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "popmuch/xmalloc.h"
#include "../compose-int.h" /* compose_parse_file(): one GMime parse of a file */
#include "autoview.h"
#include "flowed.h"
#include "layout.h"
#include "msg-int.h"
#include "tui-int.h"

void
msg_init(void)
{
	g_mime_init();
}

void
msg_shutdown(void)
{
	g_mime_shutdown();
}

static char **(*session_keys)(const char *id, void *arg);
static void *session_keys_arg;

void
msg_set_session_keys(char **(*fn)(const char *id, void *arg), void *arg)
{
	session_keys = fn;
	session_keys_arg = arg;
}

void
msg_add_line(struct msg_view *v, const char *s, size_t len, int kind)
{
	if ((v->nlines & (v->nlines - 1)) == 0) {
		size_t cap = v->nlines ? v->nlines * 2 : 64;

		if (cap < 64)
			cap = 64;
		v->lines = xreallocarray(v->lines, cap, sizeof *v->lines);
		v->kinds = xreallocarray(v->kinds, cap, 1);
	}
	v->lines[v->nlines] = layout_detab(s, len);
	v->kinds[v->nlines] = (unsigned char)kind;
	v->nlines++;
}

/* Split text into lines; quoted lines get ML_QUOTE. */
static void
add_text(struct msg_view *v, const char *s, size_t len, int kind)
{
	const char *end = s + len, *nl;

	while (s < end) {
		nl = memchr(s, '\n', (size_t)(end - s));
		if (!nl)
			nl = end;
		msg_add_line(v, s, (size_t)(nl - s),
			     kind == ML_TEXT && *s == '>' ? ML_QUOTE : kind);
		s = nl + 1;
	}
}

static void
add_header(struct msg_view *v, const char *name, const char *value)
{
	char *s;

	if (!value || !*value)
		return;
	s = xasprintf("%s: %s", name, value);
	/* folded values keep their continuation lines */
	add_text(v, s, strlen(s), ML_HEADER);
	free(s);
}

static GByteArray *
part_bytes(GMimePart *part)
{
	GMimeDataWrapper *w = g_mime_part_get_content(part);
	GMimeStream *mem = g_mime_stream_mem_new();
	GByteArray *ba, *copy;

	if (w)
		g_mime_data_wrapper_write_to_stream(w, mem);
	ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	copy = g_byte_array_new();
	g_byte_array_append(copy, ba->data, ba->len);
	g_object_unref(mem);
	return copy;
}

/* The text of a part as UTF-8 (caller g_free()s). */
static char *
part_utf8(GMimePart *part)
{
	const char *cs = g_mime_object_get_content_type_parameter(
	    GMIME_OBJECT(part), "charset");
	GByteArray *ba = part_bytes(part);
	const char *data = (const char *)ba->data;
	char *out = NULL;
	iconv_t cd;

	if (ba->len == 0) { /* an empty part: ba->data is NULL */
		g_byte_array_free(ba, TRUE);
		return g_strdup("");
	}

	if (cs && g_ascii_strcasecmp(cs, "iso-8859-1") == 0)
		cs = "windows-1252"; /* what senders mean by latin1 */
	if (cs && g_ascii_strcasecmp(cs, "utf-8") != 0 &&
	    g_ascii_strcasecmp(cs, "us-ascii") != 0) {
		cd = g_mime_iconv_open("UTF-8", cs);
		if (cd != (iconv_t)-1) {
			out = g_mime_iconv_strndup(cd, data, ba->len);
			g_mime_iconv_close(cd);
		}
		if (out && !g_utf8_validate(out, -1, NULL)) {
			g_free(out);
			out = NULL;
		}
	}
	if (!out && g_utf8_validate(data, (gssize)ba->len, NULL))
		out = g_strndup(data, ba->len);
	if (!out)
		out = g_mime_utils_decode_8bit(NULL, data, ba->len);
	g_byte_array_free(ba, TRUE);
	return out;
}

#define HTML_DEFAULT                                                           \
	"w3m -dump -T text/html -I UTF-8 -O UTF-8 -o display_link_number=1"

static char *
strip_tags(const char *html)
{
	char *out = g_malloc(strlen(html) + 1), *o = out;
	int in_tag = 0;

	for (; *html; html++) {
		if (*html == '<')
			in_tag = 1;
		else if (*html == '>')
			in_tag = 0;
		else if (!in_tag)
			*o++ = *html;
	}
	*o = '\0';
	return out;
}

static void (*render_log)(void *arg, const char *s);
static void *render_log_arg;

void
msg_set_log(void (*fn)(void *arg, const char *s), void *arg)
{
	render_log = fn;
	render_log_arg = arg;
}

static void msg_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
msg_log(const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (!render_log)
		return;
	va_start(ap, fmt);
	s = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	render_log(render_log_arg, s);
	g_free(s);
}

/* A command's output as lines of v (UTF-8: a command may write any
 * bytes), with a note when it was cut. */
static void
add_output(struct msg_view *v, struct av_output *out)
{
	char *text = g_utf8_validate(out->text, (gssize)out->len, NULL)
			 ? g_strndup(out->text, out->len)
			 : g_mime_utils_decode_8bit(NULL, out->text, out->len);
	char *note;

	add_text(v, text, strlen(text), ML_TEXT);
	g_free(text);
	if (out->cut) {
		note = xasprintf("[output cut at %u MB]", AV_MAX_OUTPUT >> 20);
		msg_add_line(v, note, strlen(note), ML_NOTE);
		free(note);
	}
	free(out->text);
	out->text = NULL;
}

/* html through the shell command cmd (what names it in the log);
 * 0 when it failed (logged). */
static int
html_filter(const char *what, const char *cmd, const char *html,
	    struct av_output *out)
{
	struct pm_err err;

	err_clear(&err);
	if (av_filter(cmd, html, strlen(html), out, &err) == PM_OK)
		return 1;
	msg_log("text/html: %s failed (%s), falling back: %s", what, err.msg,
		cmd);
	return 0;
}

/* html through the first copiousoutput mailcap entry for text/html;
 * 0 when there is none or it failed (logged). */
static int
html_mailcap(const char *html, struct av_output *out)
{
	static const char *const params[] = {"charset", "UTF-8", NULL};
	struct pm_err err;
	char *cmd = NULL;

	err_clear(&err);
	if (av_mailcap("text/html", NULL, params, html, strlen(html), &cmd, out,
		       &err) == PM_OK) {
		free(cmd);
		return 1;
	}
	if (cmd)
		msg_log("text/html: mailcap entry failed (%s), falling back: "
			"%s",
			err.msg, cmd);
	free(cmd);
	return 0;
}

/* HTML as text: html_command when set ("": the stripper), else (or
 * when it fails) the mailcap entry for text/html with copiousoutput,
 * else w3m when on PATH, else tags stripped. */
static void
render_html(struct walk *w, const char *html)
{
	const char *cmd = w->html_cmd;
	struct av_output out;
	char *stripped;
	int done = cmd && *cmd && html_filter("html_command", cmd, html, &out);

	if (!done && !(cmd && !*cmd))
		done = html_mailcap(html, &out) ||
		       (tui_on_path("w3m") &&
			html_filter("w3m", HTML_DEFAULT, html, &out));
	if (done) {
		add_output(w->v, &out);
		return;
	}
	stripped = strip_tags(html);
	add_text(w->v, stripped, strlen(stripped), ML_TEXT);
	g_free(stripped);
}

/* The size of obj as it would be saved: a leaf's decoded bytes, else
 * the MIME text (a message part: the message it holds). */
static size_t
part_size(GMimeObject *obj)
{
	GMimeStream *null = g_mime_stream_null_new();
	size_t n;

	if (GMIME_IS_PART(obj)) {
		GMimeDataWrapper *dw = g_mime_part_get_content(GMIME_PART(obj));

		if (dw)
			g_mime_data_wrapper_write_to_stream(dw, null);
	} else if (GMIME_IS_MESSAGE_PART(obj)) {
		GMimeMessage *m =
		    g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));

		if (m)
			g_mime_object_write_to_stream(GMIME_OBJECT(m), NULL,
						      null);
	} else {
		g_mime_object_write_to_stream(obj, NULL, null);
	}
	n = GMIME_STREAM_NULL(null)->written;
	g_object_unref(null);
	return n;
}

static int
is_type(GMimeObject *obj, const char *type, const char *sub)
{
	GMimeContentType *ct = g_mime_object_get_content_type(obj);

	return ct && g_mime_content_type_is_type(ct, type, sub);
}

/* Node number node (obj) into the part tree. */
static void
add_part(struct walk *w, GMimeObject *obj, int node, unsigned flags)
{
	struct msg_view *v = w->v;
	struct msg_attachment *a;
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	const char *fn = NULL;
	char *slash, *mt, *stripped;

	v->att = xreallocarray(v->att, v->natt + 1, sizeof *v->att);
	a = &v->att[v->natt++];
	memset(a, 0, sizeof *a);
	a->part = node;
	a->depth = w->level;
	if (w->decrypted)
		flags |= MP_DECRYPTED;
	w->decrypted = 0;
	if (is_type(obj, "text", "*") || is_type(obj, "message", "*") ||
	    is_type(obj, "multipart", "*"))
		flags |= MP_VIEWABLE;
	a->flags = flags;
	mt = ct ? g_mime_content_type_get_mime_type(ct) : NULL;
	a->type = xstrdup(mt ? mt : "application/octet-stream");
	g_free(mt);
	a->size = part_size(obj);
	if (GMIME_IS_PART(obj))
		fn = g_mime_part_get_filename(GMIME_PART(obj));
	else if (GMIME_IS_MESSAGE_PART(obj))
		fn = g_mime_object_get_content_disposition_parameter(
		    obj, "filename");
	if (fn && *fn)
		a->filename = xstrdup(fn);
	else if (GMIME_IS_MESSAGE_PART(obj))
		a->filename = xasprintf("message-%d.eml", node + 1);
	else if (GMIME_IS_MULTIPART(obj))
		a->filename = xasprintf("part-%d.eml", node + 1);
	else
		a->filename = xasprintf("part-%d", node + 1);
	/* no controls or bidi overrides in a name that leaves the screen */
	stripped = layout_strip(a->filename);
	free(a->filename);
	a->filename = *stripped ? stripped : xasprintf("part-%d", node + 1);
	if (!*stripped)
		free(stripped);
	while ((slash = strchr(a->filename, '/')) != NULL)
		*slash = '_';
	if (a->filename[0] == '.')
		a->filename[0] = '_';
}

static void walk_object(struct walk *w, GMimeObject *obj, int show);
static void render_headers(struct msg_view *v, GMimeMessage *m,
			   enum msg_mode mode);

/* The child of a multipart/alternative to show: text/plain if any, else
 * the last one. */
static int
preferred(GMimeMultipart *mp)
{
	int i, n = g_mime_multipart_get_count(mp);

	for (i = 0; i < n; i++)
		if (is_type(g_mime_multipart_get_part(mp, i), "text", "plain"))
			return i;
	return n - 1;
}

static int
is_flowed(GMimeObject *obj)
{
	const char *f = g_mime_object_get_content_type_parameter(obj, "format");

	return f && g_ascii_strcasecmp(f, "flowed") == 0;
}

static void
render_text(struct walk *w, GMimeObject *obj)
{
	char *text = part_utf8(GMIME_PART(obj));

	if (w->v->nlines && w->v->lines[w->v->nlines - 1][0])
		msg_add_line(w->v, "", 0, ML_TEXT);
	if (is_type(obj, "text", "html")) {
		render_html(w, text);
	} else if (is_flowed(obj)) {
		const char *ds =
		    g_mime_object_get_content_type_parameter(obj, "delsp");
		char *flowed = flowed_decode(
		    text, ds && g_ascii_strcasecmp(ds, "yes") == 0);

		add_text(w->v, flowed, strlen(flowed), ML_TEXT);
		free(flowed);
	} else {
		add_text(w->v, text, strlen(text), ML_TEXT);
	}
	g_free(text);
}

static void
walk_leaf(struct walk *w, GMimeObject *obj, int node, int show)
{
	GMimeContentDisposition *cd =
	    g_mime_object_get_content_disposition(obj);
	int att =
	    (cd && g_mime_content_disposition_is_attachment(cd)) ||
	    !GMIME_IS_TEXT_PART(obj) ||
	    !(is_type(obj, "text", "plain") || is_type(obj, "text", "html"));

	if (GMIME_IS_TEXT_PART(obj) && !w->quiet && (w->v || w->found == obj))
		crypt_inline(w, GMIME_PART(obj), show || node == w->force);
	if (!w->v)
		return;
	add_part(w, obj, node, att && !w->quiet ? MP_ATTACHMENT : 0);
	if (node == w->force && GMIME_IS_TEXT_PART(obj))
		render_text(w, obj); /* msg_render_part: any text part */
	else if (show && !att && !w->quiet)
		render_text(w, obj);
}

/* A message/rfc822 part: listed (to save or open it whole), and shown
 * inline with its own headers and parts, recursively. */
static void
walk_message(struct walk *w, GMimeObject *obj, int node, int show)
{
	GMimeMessage *m =
	    g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
	char *note;

	if (w->v)
		add_part(w, obj, node, w->quiet ? 0 : MP_ATTACHMENT);
	if (!m || !g_mime_message_get_mime_part(m) || w->depth >= 32)
		return;
	if (w->v && show && node != w->force) { /* force: it is the page */
		if (w->v->nlines && w->v->lines[w->v->nlines - 1][0])
			msg_add_line(w->v, "", 0, ML_TEXT);
		note = xasprintf("---- attached message %d ----", node + 1);
		msg_add_line(w->v, note, strlen(note), ML_NOTE);
		free(note);
	}
	if (w->v && show) {
		render_headers(w->v, m, MSG_NORMAL);
		msg_add_line(w->v, "", 0, ML_TEXT);
	}
	w->depth++;
	w->level++;
	walk_object(w, g_mime_message_get_mime_part(m), show);
	w->level--;
	w->depth--;
}

/* The children of a multipart; a signed one is verified, an encrypted
 * one decrypted (its clear text is its one child). */
static void
walk_multipart(struct walk *w, GMimeObject *obj, int node, int show)
{
	GMimeMultipart *mp = GMIME_MULTIPART(obj);
	int i, n = g_mime_multipart_get_count(mp);
	int alt = is_type(obj, "multipart", "alternative");
	int pick = alt ? preferred(mp) : -1;
	int sig = GMIME_IS_MULTIPART_SIGNED(obj);
	GMimeObject *clear = NULL;

	if (w->v)
		add_part(w, obj, node, MP_CONTAINER);
	w->level++;
	w->depth++;
	if (GMIME_IS_MULTIPART_ENCRYPTED(obj) && w->depth < 32)
		clear = crypt_open(w, obj, show);
	if (clear) {
		walk_object(w, clear, show);
	} else {
		if (sig && w->v && show && !w->quiet)
			crypt_verify_signed(w, GMIME_MULTIPART_SIGNED(obj));
		for (i = 0; i < n; i++) {
			/* the protocol parts of signed or encrypted data */
			int proto =
			    (sig && i > 0) || GMIME_IS_MULTIPART_ENCRYPTED(obj);

			w->quiet += proto;
			walk_object(w, g_mime_multipart_get_part(mp, i),
				    show && (!alt || i == pick) && !proto);
			w->quiet -= proto;
		}
	}
	w->depth--;
	w->level--;
}

static void
walk_object(struct walk *w, GMimeObject *obj, int show)
{
	int node;
	GMimeObject *clear;

	if (!w->v && w->found)
		return; /* the save walk is done */
	node = w->node++;
	if (node == w->want)
		w->found = obj;
	if (GMIME_IS_MULTIPART(obj)) {
		walk_multipart(w, obj, node, show);
	} else if (GMIME_IS_MESSAGE_PART(obj)) {
		walk_message(w, obj, node, show);
	} else if (GMIME_IS_APPLICATION_PKCS7_MIME(obj) && w->depth < 32 &&
		   !w->found) {
		size_t at = w->v ? w->v->natt : 0;

		if (w->v)
			add_part(w, obj, node, MP_CONTAINER);
		w->level++;
		w->depth++;
		clear = crypt_open(w, obj, show);
		if (clear)
			walk_object(w, clear, show);
		else if (w->v) /* not opened: a plain part (smime.p7m) */
			w->v->att[at].flags &= ~(unsigned)MP_CONTAINER;
		w->depth--;
		w->level--;
	} else {
		walk_leaf(w, obj, node, show);
	}
}

static void
render_headers(struct msg_view *v, GMimeMessage *m, enum msg_mode mode)
{
	static const char *const want[] = {"From", "To", "Cc", "Date",
					   "Subject"};
	GMimeHeaderList *hl = g_mime_object_get_header_list(GMIME_OBJECT(m));
	int i, n = g_mime_header_list_get_count(hl);
	size_t k;

	if (mode == MSG_FULL_HEADERS) {
		for (i = 0; i < n; i++) {
			GMimeHeader *h =
			    g_mime_header_list_get_header_at(hl, i);

			add_header(v, g_mime_header_get_name(h),
				   g_mime_header_get_value(h));
		}
		return;
	}
	for (k = 0; k < sizeof want / sizeof want[0]; k++)
		for (i = 0; i < n; i++) {
			GMimeHeader *h =
			    g_mime_header_list_get_header_at(hl, i);

			if (g_ascii_strcasecmp(g_mime_header_get_name(h),
					       want[k]) == 0) {
				add_header(v, want[k],
					   g_mime_header_get_value(h));
				break;
			}
		}
}

static enum pm_status
render_raw(const char *path, struct msg_view *v, struct pm_err *err)
{
	gchar *data = NULL;
	gsize len = 0;

	if (!g_file_get_contents(path, &data, &len, NULL))
		return err_set(err, PM_IOERR, "%s: cannot read", path);
	add_text(v, data, len, ML_TEXT);
	g_free(data);
	return PM_OK;
}

/* Parse the file and walk it; w->keep is made here, freed by
 * walk_end.  Returns the message (unref it), or NULL with err set. */
static GMimeMessage *
walk_file(const char *path, struct walk *w, int show, struct pm_err *err)
{
	GMimeMessage *m = compose_parse_file(path, err);

	if (!m)
		return NULL;
	w->keep = g_ptr_array_new_with_free_func(g_object_unref);
	if (session_keys && g_mime_message_get_message_id(m))
		w->keys = session_keys(g_mime_message_get_message_id(m),
				       session_keys_arg);
	if (w->v && show) {
		render_headers(w->v, m,
			       show > 1 ? MSG_FULL_HEADERS : MSG_NORMAL);
		msg_add_line(w->v, "", 0, ML_TEXT);
	}
	if (g_mime_message_get_mime_part(m))
		walk_object(w, g_mime_message_get_mime_part(m), show > 0);
	return m;
}

static void
walk_end(struct walk *w, GMimeMessage *m)
{
	if (w->keep)
		g_ptr_array_unref(w->keep);
	w->keep = NULL;
	g_strfreev(w->keys);
	w->keys = NULL;
	if (m)
		g_object_unref(m);
}

enum pm_status
msg_render(const char *path, enum msg_mode mode, const char *html_cmd,
	   struct msg_view **v_r, struct pm_err *err)
{
	struct msg_view *v = xcalloc(1, sizeof *v);
	struct walk w = {.v = v, .html_cmd = html_cmd, .want = -1, .force = -1};
	GMimeMessage *m;

	if (mode == MSG_RAW) {
		if (render_raw(path, v, err) != PM_OK) {
			msg_view_free(&v);
			return err->code;
		}
		*v_r = v;
		return PM_OK;
	}
	m = walk_file(path, &w, mode == MSG_FULL_HEADERS ? 2 : 1, err);
	if (!m) {
		msg_view_free(&v);
		return err->code;
	}
	walk_end(&w, m);
	*v_r = v;
	return PM_OK;
}

/* The Content-Type parameters of obj as name, value pairs (NULL at the
 * end; borrowed from obj: g_free the vector only). */
static const char **
type_params(GMimeObject *obj)
{
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	GMimeParamList *pl = ct ? g_mime_content_type_get_parameters(ct) : NULL;
	int i, n = pl ? g_mime_param_list_length(pl) : 0;
	const char **v = g_new0(const char *, 2 * (size_t)n + 1);

	for (i = 0; i < n; i++) {
		GMimeParam *p = g_mime_param_list_get_parameter_at(pl, i);

		v[2 * i] = g_mime_param_get_name(p);
		v[2 * i + 1] = g_mime_param_get_value(p);
	}
	return v;
}

/* A leaf that is not text, through the copiousoutput mailcap entry for
 * its type (mutt's auto_view): a note naming the entry, then its
 * output.  0 when there is none or it failed (logged). */
static int
autoview_leaf(struct msg_view *v, GMimeObject *obj, int part)
{
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	char *type = ct ? g_mime_content_type_get_mime_type(ct) : NULL;
	const char **params = type_params(obj);
	GByteArray *ba = part_bytes(GMIME_PART(obj));
	struct av_output out;
	struct pm_err err;
	char *cmd = NULL, *note;
	int ok;

	err_clear(&err);
	ok = type &&
	     av_mailcap(type, g_mime_part_get_filename(GMIME_PART(obj)), params,
			ba->data, ba->len, &cmd, &out, &err) == PM_OK;
	if (ok) {
		note =
		    xasprintf("[%s through the mailcap entry: %s]", type, cmd);
		msg_add_line(v, note, strlen(note), ML_NOTE);
		free(note);
		add_output(v, &out);
	} else if (cmd) {
		msg_log("part %d, %s: mailcap entry failed (%s): %s", part + 1,
			type, err.msg, cmd);
	}
	free(cmd);
	g_byte_array_free(ba, TRUE);
	g_free(params);
	g_free(type);
	return ok;
}

static int
is_text_like(GMimeObject *obj)
{
	return is_type(obj, "text", "*") || is_type(obj, "message", "*") ||
	       GMIME_IS_MULTIPART(obj) || GMIME_IS_TEXT_PART(obj);
}

enum pm_status
msg_render_part(const char *path, int part, const char *html_cmd,
		struct msg_view **v_r, struct pm_err *err)
{
	struct walk w = {.want = part, .force = -1};
	struct walk show = {.html_cmd = html_cmd, .want = -1, .force = part};
	GMimeMessage *m = walk_file(path, &w, 0, err);
	GMimeObject *obj = w.found;

	if (!m)
		return err->code;
	show.v = xcalloc(1, sizeof *show.v);
	if (!obj ||
	    (!is_text_like(obj) &&
	     !(GMIME_IS_PART(obj) && autoview_leaf(show.v, obj, part)))) {
		msg_view_free(&show.v);
		walk_end(&w, m);
		return err_set(err, PM_DATAERR,
			       obj ? "part %d is not text: o opens it with a "
				     "viewer"
				   : "no such part (%d)",
			       part + 1);
	}
	show.keep = w.keep; /* found may be in a decrypted part */
	show.keys = w.keys;
	show.node = part;
	walk_object(&show, obj, 1); /* a message: its headers first */
	walk_end(&w, m);
	*v_r = show.v;
	return PM_OK;
}

void
msg_view_free(struct msg_view **v)
{
	size_t i;

	if (!*v)
		return;
	for (i = 0; i < (*v)->nlines; i++)
		free((*v)->lines[i]);
	for (i = 0; i < (*v)->natt; i++) {
		free((*v)->att[i].filename);
		free((*v)->att[i].type);
	}
	free((*v)->lines);
	free((*v)->kinds);
	free((*v)->att);
	free(*v);
	*v = NULL;
}

/* Write obj to the new file dest as msg_save_part says. */
static enum pm_status
save_object(GMimeObject *obj, const char *dest, struct pm_err *err)
{
	GMimeDataWrapper *dw = GMIME_IS_PART(obj)
				   ? g_mime_part_get_content(GMIME_PART(obj))
				   : NULL;
	GMimeMessage *msg =
	    GMIME_IS_MESSAGE_PART(obj)
		? g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj))
		: NULL;
	GMimeObject *whole = msg ? GMIME_OBJECT(msg) : obj;
	GMimeStream *out;
	int fd, ok;

	if (GMIME_IS_PART(obj) && !dw)
		return err_set(err, PM_DATAERR, "the part has no content");
	/* 0600: mail is private (mutt does the same); chmod to share */
	fd = open(dest, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return err_set(err, PM_CANTCREAT, "%s: %s", dest,
			       strerror(errno));
	out = g_mime_stream_fs_new(fd);
	ok = (dw ? g_mime_data_wrapper_write_to_stream(dw, out)
		 : g_mime_object_write_to_stream(whole, NULL, out)) >= 0 &&
	     g_mime_stream_flush(out) == 0;
	ok = ok && fsync(fd) == 0;
	g_object_unref(out);
	if (!ok)
		return err_set(err, PM_IOERR, "%s: write failed", dest);
	return PM_OK;
}

enum pm_status
msg_save_part(const char *path, int part, const char *dest, struct pm_err *err)
{
	struct walk w = {.want = part, .force = -1};
	GMimeMessage *m = walk_file(path, &w, 0, err);
	enum pm_status st;

	if (!m)
		return err->code;
	st = w.found ? save_object(w.found, dest, err)
		     : err_set(err, PM_DATAERR, "no such part");
	walk_end(&w, m);
	return st;
}
