/* pop3.c: POP3 client session: status lines, multi-line replies, CAPA,
 * STLS, pipelined RETR and DELE.  Never prints (see pop3.h). */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "popmuch/dotdec.h"
#include "popmuch/log.h"
#include "popmuch/pop3.h"
#include "popmuch/pop3-list.h"
#include "popmuch/parse.h"
#include "popmuch/xmalloc.h"
#include "pop3-int.h"

static void
caps_reset(struct pop3_caps *caps)
{
	char ts[sizeof(caps->apop_ts)];

	memcpy(ts, caps->apop_ts, sizeof(ts));
	memset(caps, 0, sizeof(*caps));
	memcpy(caps->apop_ts, ts, sizeof(ts));
	caps->login_delay = -1;
	caps->expire = -1;
}

static enum pm_status
fill(struct pop3 *p, struct pm_err *err)
{
	size_t got;
	enum pm_status st;

	if (p->start > 0 && p->start == p->end)
		p->start = p->end = 0;
	if (p->end == sizeof(p->buf)) {
		memmove(p->buf, p->buf + p->start, p->end - p->start);
		p->end -= p->start;
		p->start = 0;
	}
	st = net_read(p->conn, p->buf + p->end, sizeof(p->buf) - p->end, &got,
		      err);
	if (st != PM_OK)
		return st;
	if (got == 0)
		return err_set(err, PM_NETWORK,
			       "the server closed the connection");
	p->end += got;
	return PM_OK;
}

enum pm_status
pop3_read_line(struct pop3 *p, const char **line_r, struct pm_err *err)
{
	enum pm_status st;
	char *lf;
	size_t len;

	for (;;) {
		lf = memchr(p->buf + p->start, '\n', p->end - p->start);
		if (lf != NULL)
			break;
		if (p->end - p->start > POP3_LINE_MAX)
			return err_set(err, PM_PROTOCOL,
				       "the server sent a line longer than "
				       "%d bytes",
				       POP3_LINE_MAX);
		if ((st = fill(p, err)) != PM_OK)
			return st;
	}
	len = (size_t)(lf - (p->buf + p->start)) + 1;
	if (len > POP3_LINE_MAX)
		return err_set(err, PM_PROTOCOL,
			       "the server sent a line longer than %d bytes",
			       POP3_LINE_MAX);
	memcpy(p->line, p->buf + p->start, len);
	p->start += len;
	len--; /* LF */
	if (len > 0 && p->line[len - 1] == '\r')
		len--;
	p->line[len] = '\0';
	if (memchr(p->line, '\0', len) != NULL)
		return err_set(err, PM_PROTOCOL,
			       "the server sent a NUL byte in a status line");
	log_proto("<-", p->line, len);
	*line_r = p->line;
	return PM_OK;
}

enum pm_status
pop3_write_line(struct pop3 *p, const char *line, int secret,
		struct pm_err *err)
{
	size_t len = strlen(line);
	char *buf = xmalloc(len + 2);
	enum pm_status st;

	if (log_debug_enabled()) {
		if (secret) {
			/* Keep the command word, and the mechanism of AUTH;
			 * blank the rest. */
			size_t word = strcspn(line, " ");
			char *shown;

			if (strncmp(line, "AUTH ", 5) == 0)
				word = 5 + strcspn(line + 5, " ");
			if (line[word] == '\0' &&
			    strncmp(line, "AUTH ", 5) != 0)
				word = 0; /* a bare SASL response line */
			shown = xasprintf("%.*s%s", (int)word, line,
					  word ? " ***" : "***");

			log_proto("->", shown, strlen(shown));
			free(shown);
		} else {
			log_proto("->", line, len);
		}
	}
	memcpy(buf, line, len);
	memcpy(buf + len, "\r\n", 2);
	st = net_write(p->conn, buf, len + 2, err);
	xwipe(buf, len + 2);
	free(buf);
	return st;
}

int
pop3_parse_status(const char *line, const char **text_r)
{
	int ok;

	if (strncmp(line, "+OK", 3) == 0)
		ok = 1;
	else if (strncmp(line, "-ERR", 4) == 0)
		ok = 0;
	else
		return -1;
	line += ok ? 3 : 4;
	if (*line != '\0' && *line != ' ')
		return -1;
	while (*line == ' ')
		line++;
	*text_r = line;
	return ok;
}

enum pm_status
pop3_resp_code_status(const char *text)
{
	static const struct {
		const char *code;
		enum pm_status st;
	} codes[] = {
	    {"[IN-USE]", PM_TEMPFAIL},	 {"[LOGIN-DELAY]", PM_TEMPFAIL},
	    {"[SYS/TEMP]", PM_TEMPFAIL}, {"[SYS/PERM]", PM_UNAVAILABLE},
	    {"[AUTH]", PM_NOPERM},
	};

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (strncasecmp(text, codes[i].code, strlen(codes[i].code)) ==
		    0)
			return codes[i].st;
	return PM_PROTOCOL;
}

/* Turn an -ERR reply into an error naming what was asked. */
enum pm_status
pop3_err_from_reply(const char *what, const char *text, struct pm_err *err)
{
	char *esc = log_escape(text, strlen(text), 200);
	enum pm_status st = pop3_resp_code_status(text);

	err_set(err, st, "the server refused %s: %s", what, esc);
	free(esc);
	return st;
}

/* Read a status line; set *ok_r and *text_r.  Garbage is an error. */
enum pm_status
pop3_read_status(struct pop3 *p, const char *what, int *ok_r,
		 const char **text_r, struct pm_err *err)
{
	const char *line;
	enum pm_status st;
	char *esc;

	if ((st = pop3_read_line(p, &line, err)) != PM_OK)
		return err_prefix(err, "waiting for the reply to %s", what);
	*ok_r = pop3_parse_status(line, text_r);
	if (*ok_r >= 0)
		return PM_OK;
	esc = log_escape(line, strlen(line), 100);
	p->desynced = 1;
	err_set(err, PM_PROTOCOL,
		"invalid reply to %s (out of step with the server?): %s", what,
		esc);
	free(esc);
	return PM_PROTOCOL;
}

/* Nothing is outstanding: any byte the server sent since is one it sent
 * unasked, so replies and commands are out of step.  Bytes still in
 * GnuTLS's or the kernel's buffer count too (a stray line in a segment
 * of its own); a close that waits there is reported as a close. */
static enum pm_status
check_idle(struct pop3 *p, struct pm_err *err)
{
	enum pm_status st;

	if (p->start == p->end && net_pending(p->conn) &&
	    (st = fill(p, err)) != PM_OK)
		return st;
	if (p->start == p->end)
		return PM_OK;
	p->desynced = 1;
	return err_set(err, PM_PROTOCOL,
		       "unexpected data from the server while no command "
		       "was outstanding (replies out of step); stopping "
		       "before anything is deleted");
}

enum pm_status
pop3_cmd(struct pop3 *p, const char *line, int secret, const char **reply_r,
	 struct pm_err *err)
{
	const char *text;
	char what[32];
	enum pm_status st;
	int ok;

	/* Name the command (never its arguments) in errors. */
	(void)snprintf(what, sizeof(what), "%.*s", (int)strcspn(line, " "),
		       line);
	if ((st = check_idle(p, err)) != PM_OK)
		return st;
	if ((st = pop3_write_line(p, line, secret, err)) != PM_OK)
		return st;
	if ((st = pop3_read_status(p, what, &ok, &text, err)) != PM_OK)
		return st;
	if (!ok)
		return pop3_err_from_reply(what, text, err);
	if (reply_r != NULL)
		*reply_r = text;
	return PM_OK;
}

enum pm_status
pop3_cmd2(struct pop3 *p, const char *line1, int secret1, const char *line2,
	  int secret2, struct pm_err *err)
{
	const char *text;
	char what1[32], what2[32];
	struct pm_err err2;
	enum pm_status st;
	int ok;

	if (!p->caps.pipelining) {
		st = pop3_cmd(p, line1, secret1, NULL, err);
		return st == PM_OK ? pop3_cmd(p, line2, secret2, NULL, err)
				   : st;
	}
	(void)snprintf(what1, sizeof(what1), "%.*s", (int)strcspn(line1, " "),
		       line1);
	(void)snprintf(what2, sizeof(what2), "%.*s", (int)strcspn(line2, " "),
		       line2);
	if ((st = check_idle(p, err)) != PM_OK ||
	    (st = pop3_write_line(p, line1, secret1, err)) != PM_OK ||
	    (st = pop3_write_line(p, line2, secret2, err)) != PM_OK ||
	    (st = pop3_read_status(p, what1, &ok, &text, err)) != PM_OK)
		return st;
	if (!ok) {
		/* Read the second reply too (its error is not the news). */
		st = pop3_err_from_reply(what1, text, err);
		(void)pop3_read_status(p, what2, &ok, &text, &err2);
		return st;
	}
	if ((st = pop3_read_status(p, what2, &ok, &text, err)) != PM_OK)
		return st;
	return ok ? PM_OK : pop3_err_from_reply(what2, text, err);
}

enum pm_status
pop3_open(struct net_conn *conn, int timeout, struct pop3 **p_r,
	  struct pm_err *err)
{
	struct pop3 *p = xcalloc(1, sizeof(*p));
	const char *text, *lt, *gt;
	enum pm_status st;
	int ok;

	p->conn = conn;
	p->timeout = timeout;
	caps_reset(&p->caps);
	*p_r = p;
	if ((st = pop3_read_status(p, "the greeting", &ok, &text, err)) !=
	    PM_OK)
		return st;
	if (!ok)
		return pop3_err_from_reply("the connection", text, err);
	p->greeting = log_escape(text, strlen(text), 200);
	lt = strchr(text, '<');
	gt = lt ? strchr(lt, '>') : NULL;
	if (gt != NULL && (size_t)(gt - lt + 1) < sizeof(p->caps.apop_ts))
		(void)snprintf(p->caps.apop_ts, sizeof(p->caps.apop_ts), "%.*s",
			       (int)(gt - lt + 1), lt);
	return PM_OK;
}

const char *
pop3_greeting(const struct pop3 *p)
{
	return p->greeting ? p->greeting : "";
}

struct net_conn *
pop3_conn(struct pop3 *p)
{
	return p->conn;
}

const struct pop3_caps *
pop3_caps(const struct pop3 *p)
{
	return &p->caps;
}

void
pop3_set_pipelining(struct pop3 *p, int on)
{
	p->caps.pipelining = on;
}

void
pop3_parse_capa_line(struct pop3_caps *caps, const char *line)
{
	char word[32];
	size_t n = strcspn(line, " ");
	const char *arg = line + n;

	while (*arg == ' ')
		arg++;
	if (n >= sizeof(word))
		return;
	memcpy(word, line, n);
	word[n] = '\0';
	if (strcasecmp(word, "TOP") == 0)
		caps->top = 1;
	else if (strcasecmp(word, "USER") == 0)
		caps->user = 1;
	else if (strcasecmp(word, "UIDL") == 0)
		caps->uidl = 1;
	else if (strcasecmp(word, "PIPELINING") == 0)
		caps->pipelining = 1;
	else if (strcasecmp(word, "STLS") == 0)
		caps->stls = 1;
	else if (strcasecmp(word, "RESP-CODES") == 0)
		caps->resp_codes = 1;
	else if (strcasecmp(word, "AUTH-RESP-CODE") == 0)
		caps->auth_resp_code = 1;
	else if (strcasecmp(word, "LOGIN-DELAY") == 0)
		caps->login_delay = atoi(arg);
	else if (strcasecmp(word, "EXPIRE") == 0)
		caps->expire =
		    strncasecmp(arg, "NEVER", 5) == 0 ? -1 : atoi(arg);
	else if (strcasecmp(word, "SASL") == 0) {
		size_t i;

		(void)snprintf(caps->sasl, sizeof(caps->sasl), "%s", arg);
		for (i = 0; caps->sasl[i] != '\0'; i++)
			caps->sasl[i] =
			    (char)toupper((unsigned char)caps->sasl[i]);
	}
}

/* Read the lines of a multi-line reply, calling fn for each (dot
 * unstuffed).  At most max_lines lines. */
enum pm_status
pop3_read_multiline(struct pop3 *p, const char *what, size_t max_lines,
		    enum pm_status (*fn)(void *ctx, const char *line,
					 struct pm_err *err),
		    void *ctx, struct pm_err *err)
{
	const char *line;
	enum pm_status st;
	size_t n = 0;

	for (;;) {
		if ((st = pop3_read_line(p, &line, err)) != PM_OK)
			return st;
		if (line[0] == '.') {
			if (line[1] == '\0')
				return PM_OK;
			line++;
		}
		if (++n > max_lines)
			return err_set(err, PM_PROTOCOL,
				       "the server's %s reply has more than "
				       "%zu lines",
				       what, max_lines);
		if ((st = fn(ctx, line, err)) != PM_OK)
			return st;
	}
}

static enum pm_status
capa_line(void *ctx, const char *line, struct pm_err *err)
{
	pop3_parse_capa_line(ctx, line);
	return PM_OK;
}

enum pm_status
pop3_capa(struct pop3 *p, struct pm_err *err)
{
	const char *text;
	enum pm_status st;
	int ok;

	caps_reset(&p->caps);
	if ((st = pop3_write_line(p, "CAPA", 0, err)) != PM_OK)
		return st;
	if ((st = pop3_read_status(p, "CAPA", &ok, &text, err)) != PM_OK)
		return st;
	if (!ok)
		return PM_OK; /* an RFC 1939 server: nothing known */
	p->caps.capa = 1;
	return pop3_read_multiline(p, "CAPA", 1000, capa_line, &p->caps, err);
}

enum pm_status
pop3_stls(struct pop3 *p, const char *host, const struct net_tls_opts *opts,
	  struct pm_err *err)
{
	enum pm_status st;

	if ((st = pop3_cmd(p, "STLS", 0, NULL, err)) != PM_OK)
		return err_prefix(err, "STLS failed, nothing was sent "
				       "in clear");
	if (p->start != p->end)
		return err_set(err, PM_PROTOCOL,
			       "the server sent data after accepting STLS "
			       "and before TLS started (a response injection "
			       "attack?); nothing was sent");
	if ((st = net_tls_start(p->conn, host, opts, err)) != PM_OK)
		return st;
	/* What the server said before TLS is not to be trusted; that it
	 * offered STLS is a fact now (reports show it). */
	caps_reset(&p->caps);
	st = pop3_capa(p, err);
	p->caps.stls = 1;
	return st;
}

/* One command line for message num into buf (at least 64 bytes). */
static size_t
format_cmd(char *buf, const char *cmd, uint32_t num, long top_lines)
{
	int n;

	if (top_lines >= 0)
		n = snprintf(buf, 64, "TOP %" PRIu32 " %ld", num, top_lines);
	else
		n = snprintf(buf, 64, "%s %" PRIu32, cmd, num);
	if (n < 0 || n > 60)
		fatal("format_cmd: command too long");
	log_proto("->", buf, (size_t)n);
	memcpy(buf + n, "\r\n", 2);
	return (size_t)n + 2;
}

/* Send the commands for nums[*sent..limit) in one write; with fence
 * set, each followed by its fence command (see pop3_retr). */
static enum pm_status
send_batch(struct pop3 *p, const char *cmd, const uint32_t *nums, size_t *sent,
	   size_t limit, long top_lines, const char *fence, struct pm_err *err)
{
	char buf[2 * 64 * POP3_WINDOW];
	size_t len = 0;

	for (; *sent < limit && len + 128 <= sizeof(buf); (*sent)++) {
		len += format_cmd(buf + len, cmd, nums[*sent], top_lines);
		if (fence != NULL)
			len += format_cmd(buf + len, fence, nums[*sent], -1);
	}
	return len > 0 ? net_write(p->conn, buf, len, err) : PM_OK;
}

/* A body whose first line is a POP3 status line belongs to a reply that
 * went out of step (a stray "+OK" read as this message's status). */
static int
status_like(const char *b, size_t n)
{
	if (n >= 3 && memcmp(b, "+OK", 3) == 0)
		return n == 3 || b[3] == ' ' || b[3] == '\r' || b[3] == '\n';
	if (n >= 4 && memcmp(b, "-ERR", 4) == 0)
		return n == 4 || b[4] == ' ' || b[4] == '\r' || b[4] == '\n';
	return 0;
}

/* Stream one body through the decoder into the sink. */
static enum pm_status
read_body(struct pop3 *p, const struct pop3_sink *sink, struct pm_err *err)
{
	char out[POP3_BUF_SIZE + 2];
	char head[5]; /* the first bytes, for status_like() */
	size_t nhead = 0;
	struct dotdec dd;
	enum dotdec_result r;
	enum pm_status st;
	size_t out_len, used;

	dotdec_init(&dd);
	for (;;) {
		if (p->start == p->end && (st = fill(p, err)) != PM_OK)
			return err_prefix(err, "while receiving a message");
		r = dotdec_feed(&dd, p->buf + p->start, p->end - p->start, out,
				&out_len, &used);
		p->start += used;
		if (nhead < sizeof(head)) {
			size_t k = out_len < sizeof(head) - nhead
				       ? out_len
				       : sizeof(head) - nhead;

			memcpy(head + nhead, out, k);
			nhead += k;
			if ((nhead == sizeof(head) || r == DOTDEC_END ||
			     memchr(head, '\n', nhead) != NULL) &&
			    status_like(head, nhead)) {
				p->desynced = 1;
				return err_set(err, PM_PROTOCOL,
					       "a message began with a POP3 "
					       "status line: the server's "
					       "replies are out of step");
			}
		}
		if (out_len > 0 &&
		    (st = sink->data(sink->ctx, out, out_len, err)) != PM_OK)
			return st;
		if (r == DOTDEC_END)
			return PM_OK;
	}
}

static size_t
window(const struct pop3 *p)
{
	return p->caps.pipelining ? POP3_WINDOW : 1;
}

/* Read the reply to the fence command for num ("UIDL num", or "LIST
 * num" when uidl is NULL) and check that it names num, and uidl when
 * given.  Sizes are not compared: they are advisory, and some servers
 * change a message while sending it (GNU Mailutils adds X-UIDL). */
static enum pm_status
read_fence(struct pop3 *p, uint32_t num, const char *uidl, struct pm_err *err)
{
	const char *text, *u;
	char what[40], *esc;
	enum pm_status st;
	uint64_t size;
	uint32_t n;
	size_t len;
	int ok, good;

	(void)snprintf(what, sizeof(what), "%s %" PRIu32,
		       uidl != NULL ? "UIDL" : "LIST", num);
	if ((st = pop3_read_status(p, what, &ok, &text, err)) != PM_OK)
		return st;
	if (uidl != NULL)
		good = ok && pop3_parse_uidl_line(text, &n, &u, &len) == 0 &&
		       n == num && len == strlen(uidl) &&
		       memcmp(u, uidl, len) == 0;
	else
		good = ok && pop3_parse_list_line(text, &n, &size) == 0 &&
		       n == num;
	if (good)
		return PM_OK;
	p->desynced = 1;
	esc = log_escape(text, strlen(text), 100);
	err_set(err, PM_PROTOCOL,
		"the server's replies are out of step: %s answered "
		"\"%s %s\"",
		what, ok ? "+OK" : "-ERR", esc);
	free(esc);
	return PM_PROTOCOL;
}

/* RETR nums[i] was answered -ERR: hand the server's text to the sink,
 * or end the transfer when the sink takes no refusals. */
static enum pm_status
refused(struct pop3 *p, const struct pop3_sink *sink, size_t i,
	const char *what, const char *text, uint32_t num, const char *uidl,
	int fenced, struct pm_err *err)
{
	char *esc;
	enum pm_status st;

	if (sink->refused == NULL)
		return pop3_err_from_reply(what, text, err);
	esc = log_escape(text, strlen(text), 200);
	/* Under pipelining the fence proves the -ERR was this message's. */
	st = fenced ? read_fence(p, num, uidl, err) : PM_OK;
	if (st == PM_OK)
		st = sink->refused(sink->ctx, i, esc, err);
	free(esc);
	return st;
}

enum pm_status
pop3_retr(struct pop3 *p, const uint32_t *nums, const char *const *uidls,
	  size_t n, long top_lines, const struct pop3_sink *sink,
	  struct pm_err *err)
{
	size_t sent = 0, w = window(p);
	const char *fence = !p->caps.pipelining ? NULL
			    : uidls != NULL	? "UIDL"
						: "LIST";
	const char *text;
	enum pm_status st;
	char what[40];
	int ok;

	for (size_t i = 0; i < n; i++) {
		size_t limit = i + w < n ? i + w : n;
		const char *uidl = uidls != NULL ? uidls[i] : NULL;

		if (sent == i && (st = check_idle(p, err)) != PM_OK)
			return st;
		if ((st = send_batch(p, "RETR", nums, &sent, limit, top_lines,
				     fence, err)) != PM_OK)
			return st;
		(void)snprintf(what, sizeof(what), "%s %" PRIu32,
			       top_lines >= 0 ? "TOP" : "RETR", nums[i]);
		if ((st = pop3_read_status(p, what, &ok, &text, err)) != PM_OK)
			return st;
		if (!ok) {
			st = refused(p, sink, i, what, text, nums[i], uidl,
				     fence != NULL, err);
			if (st != PM_OK)
				return st;
			continue;
		}
		if ((st = sink->begin(sink->ctx, i, err)) != PM_OK)
			return st;
		if ((st = read_body(p, sink, err)) != PM_OK)
			return st;
		if (fence != NULL &&
		    (st = read_fence(p, nums[i], uidl, err)) != PM_OK)
			return st;
		if ((st = sink->end(sink->ctx, i, err)) != PM_OK)
			return st;
	}
	return PM_OK;
}

enum pm_status
pop3_dele(struct pop3 *p, const uint32_t *nums, size_t n, unsigned char *ok_r,
	  struct pm_err *err)
{
	size_t sent = 0, w = window(p);
	const char *text;
	enum pm_status st;
	int ok;

	for (size_t i = 0; i < n; i++) {
		size_t limit = i + w < n ? i + w : n;

		ok_r[i] = 0;
		if (sent == i && (st = check_idle(p, err)) != PM_OK)
			return st;
		if ((st = send_batch(p, "DELE", nums, &sent, limit, -1, NULL,
				     err)) != PM_OK)
			return st;
		if ((st = pop3_read_status(p, "DELE", &ok, &text, err)) !=
		    PM_OK)
			return st;
		ok_r[i] = (unsigned char)ok;
	}
	return PM_OK;
}

int
pop3_desynced(const struct pop3 *p)
{
	return p->desynced;
}

enum pm_status
pop3_fence(struct pop3 *p, uint32_t num, const char *uidl, struct pm_err *err)
{
	char line[40];
	enum pm_status st;

	(void)snprintf(line, sizeof(line), "%s %" PRIu32,
		       uidl != NULL ? "UIDL" : "LIST", num);
	if ((st = check_idle(p, err)) != PM_OK ||
	    (st = pop3_write_line(p, line, 0, err)) != PM_OK)
		return st;
	return read_fence(p, num, uidl, err);
}

enum pm_status
pop3_quit(struct pop3 *p, struct pm_err *err)
{
	return pop3_cmd(p, "QUIT", 0, NULL, err);
}

enum pm_status
pop3_quit_unanswered(struct pop3 *p, struct pm_err *err)
{
	enum pm_status st = check_idle(p, err);

	return st == PM_OK ? pop3_write_line(p, "QUIT", 0, err) : st;
}

void
pop3_free(struct pop3 **pp)
{
	struct pop3 *p = *pp;

	if (p == NULL)
		return;
	net_free(&p->conn);
	free(p->greeting);
	xwipe(p->line, sizeof(p->line));
	free(p);
	*pp = NULL;
}
