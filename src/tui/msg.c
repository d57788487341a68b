/* msg.c: rendering a message file with GMime 3. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gmime/gmime.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "popmuch/xmalloc.h"
#include "../compose-int.h" /* compose_parse_file(): one GMime parse of a file */
#include "flowed.h"
#include "layout.h"
#include "msg.h"
#include "tui-int.h"

struct walk {
	struct msg_view *v;
	const char *html_cmd;
	int leaf; /* next leaf index */
	int save; /* msg_save_part: the wanted leaf, else -1 */
	GMimeObject *found;
	int depth; /* of message/rfc822 nesting */
};

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

static void
add_line(struct msg_view *v, const char *s, size_t len, int kind)
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
		add_line(v, s, (size_t)(nl - s),
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

/* Run cmd with input on stdin; its stdout (at most 16 MiB) as a new
 * string, or NULL when it cannot run. */
static char *
filter(const char *cmd, const char *input)
{
	const char *tmp = getenv("TMPDIR");
	char *tmpl =
	    xasprintf("%s/popmuch-html-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	int in = mkstemp(tmpl), p[2], status;
	size_t len = 0, cap = 8192;
	char *out;
	ssize_t r;
	pid_t pid;

	if (in >= 0)
		unlink(tmpl);
	free(tmpl);
	if (in < 0)
		return NULL;
	if (write(in, input, strlen(input)) != (ssize_t)strlen(input) ||
	    lseek(in, 0, SEEK_SET) != 0 || pipe(p) < 0) {
		close(in);
		return NULL;
	}
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(in, 0);
		dup2(p[1], 1);
		if (null >= 0)
			dup2(null, 2);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(in);
	close(p[1]);
	out = xmalloc(cap);
	while (pid > 0 && (r = read(p[0], out + len, cap - len - 1)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		len += (size_t)r;
		if (len + 1 == cap && cap < (16u << 20))
			out = xreallocarray(out, cap *= 2, 1);
		else if (len + 1 == cap)
			break;
	}
	close(p[0]);
	out[len] = '\0';
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) == 127) {
		free(out);
		return NULL;
	}
	return out;
}

static void
render_html(struct walk *w, const char *html)
{
	const char *cmd = w->html_cmd;
	char *text = NULL, *stripped;

	if (!cmd && tui_on_path("w3m"))
		cmd = "w3m -dump -T text/html -I UTF-8 -O UTF-8 "
		      "-o display_link_number=1";
	if (cmd && *cmd) /* "": the built-in stripper */
		text = filter(cmd, html);
	if (text) {
		add_text(w->v, text, strlen(text), ML_TEXT);
		free(text);
		return;
	}
	stripped = strip_tags(html);
	add_text(w->v, stripped, strlen(stripped), ML_TEXT);
	g_free(stripped);
}

static void
add_attachment(struct walk *w, GMimeObject *obj, int leaf)
{
	struct msg_view *v = w->v;
	struct msg_attachment *a;
	GMimeContentType *ct = g_mime_object_get_content_type(obj);
	const char *fn = NULL;
	char *slash, *mt, *stripped;

	v->att = xreallocarray(v->att, v->natt + 1, sizeof *v->att);
	a = &v->att[v->natt++];
	memset(a, 0, sizeof *a);
	a->part = leaf;
	mt = ct ? g_mime_content_type_get_mime_type(ct) : NULL;
	a->type = xstrdup(mt ? mt : "application/octet-stream");
	g_free(mt);
	if (GMIME_IS_PART(obj)) {
		GMimeStream *null = g_mime_stream_null_new();
		GMimeDataWrapper *dw = g_mime_part_get_content(GMIME_PART(obj));

		fn = g_mime_part_get_filename(GMIME_PART(obj));
		if (dw)
			g_mime_data_wrapper_write_to_stream(dw, null);
		a->size = GMIME_STREAM_NULL(null)->written;
		g_object_unref(null);
	}
	if (GMIME_IS_MESSAGE_PART(obj)) {
		GMimeStream *null = g_mime_stream_null_new();
		GMimeMessage *m =
		    g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));

		if (m)
			g_mime_object_write_to_stream(GMIME_OBJECT(m), NULL,
						      null);
		a->size = GMIME_STREAM_NULL(null)->written;
		g_object_unref(null);
		fn = g_mime_object_get_content_disposition_parameter(
		    obj, "filename");
	}
	if (fn && *fn)
		a->filename = xstrdup(fn);
	else if (GMIME_IS_MESSAGE_PART(obj))
		a->filename = xasprintf("message-%d.eml", leaf);
	else
		a->filename = xasprintf("part-%d", leaf);
	/* no controls or bidi overrides in a name that leaves the screen */
	stripped = layout_strip(a->filename);
	free(a->filename);
	a->filename = *stripped ? stripped : xasprintf("part-%d", leaf);
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

static int
is_type(GMimeObject *obj, const char *type, const char *sub)
{
	GMimeContentType *ct = g_mime_object_get_content_type(obj);

	return ct && g_mime_content_type_is_type(ct, type, sub);
}

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
walk_leaf(struct walk *w, GMimeObject *obj, int show)
{
	int leaf = w->leaf++;
	GMimeContentDisposition *cd;
	char *text;

	if (leaf == w->save && GMIME_IS_PART(obj))
		w->found = obj;
	if (!w->v)
		return;
	cd = g_mime_object_get_content_disposition(obj);
	if ((cd && g_mime_content_disposition_is_attachment(cd)) ||
	    !GMIME_IS_TEXT_PART(obj) ||
	    !(is_type(obj, "text", "plain") || is_type(obj, "text", "html"))) {
		add_attachment(w, obj, leaf);
		return;
	}
	if (!show)
		return;
	text = part_utf8(GMIME_PART(obj));
	if (w->v->nlines && w->v->lines[w->v->nlines - 1][0])
		add_line(w->v, "", 0, ML_TEXT);
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

/* A message/rfc822 part: listed (to save or open it whole), and shown
 * inline with its own headers and parts, recursively. */
static void
walk_message(struct walk *w, GMimeObject *obj, int show)
{
	int leaf = w->leaf++;
	GMimeMessage *m =
	    g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
	char *note;

	if (leaf == w->save)
		w->found = obj;
	if (w->v)
		add_attachment(w, obj, leaf);
	if (!m || !g_mime_message_get_mime_part(m) || w->depth >= 32)
		return;
	if (w->v && show) {
		if (w->v->nlines && w->v->lines[w->v->nlines - 1][0])
			add_line(w->v, "", 0, ML_TEXT);
		note = xasprintf("---- attached message %d ----", leaf);
		add_line(w->v, note, strlen(note), ML_NOTE);
		free(note);
		render_headers(w->v, m, MSG_NORMAL);
		add_line(w->v, "", 0, ML_TEXT);
	}
	w->depth++;
	walk_object(w, g_mime_message_get_mime_part(m), show);
	w->depth--;
}

static void
walk_object(struct walk *w, GMimeObject *obj, int show)
{
	if (GMIME_IS_MULTIPART(obj)) {
		GMimeMultipart *mp = GMIME_MULTIPART(obj);
		int i, n = g_mime_multipart_get_count(mp);
		int alt = is_type(obj, "multipart", "alternative");
		int pick = alt ? preferred(mp) : -1;

		for (i = 0; i < n; i++)
			walk_object(w, g_mime_multipart_get_part(mp, i),
				    show && (!alt || i == pick));
	} else if (GMIME_IS_MESSAGE_PART(obj)) {
		walk_message(w, obj, show);
	} else {
		walk_leaf(w, obj, show);
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

enum pm_status
msg_render(const char *path, enum msg_mode mode, const char *html_cmd,
	   struct msg_view **v_r, struct pm_err *err)
{
	struct msg_view *v = xcalloc(1, sizeof *v);
	struct walk w = {.v = v, .html_cmd = html_cmd, .save = -1};
	GMimeMessage *m;

	if (mode == MSG_RAW) {
		if (render_raw(path, v, err) != PM_OK) {
			msg_view_free(&v);
			return err->code;
		}
		*v_r = v;
		return PM_OK;
	}
	m = compose_parse_file(path, err);
	if (!m) {
		msg_view_free(&v);
		return err->code;
	}
	render_headers(v, m, mode);
	add_line(v, "", 0, ML_TEXT);
	if (g_mime_message_get_mime_part(m))
		walk_object(&w, g_mime_message_get_mime_part(m), 1);
	g_object_unref(m);
	*v_r = v;
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

enum pm_status
msg_save_part(const char *path, int part, const char *dest, struct pm_err *err)
{
	struct walk w = {.save = part};
	GMimeMessage *m = compose_parse_file(path, err), *msg;
	GMimeDataWrapper *dw;
	GMimeStream *out;
	int fd, ok;

	if (!m)
		return err->code;
	if (g_mime_message_get_mime_part(m))
		walk_object(&w, g_mime_message_get_mime_part(m), 0);
	dw = w.found && GMIME_IS_PART(w.found)
		 ? g_mime_part_get_content(GMIME_PART(w.found))
		 : NULL;
	msg = w.found && GMIME_IS_MESSAGE_PART(w.found)
		  ? g_mime_message_part_get_message(GMIME_MESSAGE_PART(w.found))
		  : NULL;
	if (!dw && !msg) {
		g_object_unref(m);
		return err_set(err, PM_DATAERR, "no such part");
	}
	/* 0600: mail is private (mutt does the same); chmod to share */
	fd = open(dest, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		g_object_unref(m);
		return err_set(err, PM_CANTCREAT, "%s: %s", dest,
			       strerror(errno));
	}
	out = g_mime_stream_fs_new(fd);
	ok = (dw ? g_mime_data_wrapper_write_to_stream(dw, out)
		 : g_mime_object_write_to_stream(GMIME_OBJECT(msg), NULL,
						 out)) >= 0 &&
	     g_mime_stream_flush(out) == 0;
	ok = ok && fsync(fd) == 0;
	g_object_unref(out);
	g_object_unref(m);
	if (!ok)
		return err_set(err, PM_IOERR, "%s: write failed", dest);
	return PM_OK;
}
