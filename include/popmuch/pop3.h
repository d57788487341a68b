/* pop3.h: a POP3 client session (RFC 1939, 2449, 2595, 5034).
 *
 * Owns the connection and its read buffer.  Status lines are bounded
 * (POP3_LINE_MAX); multi-line bodies stream through dotdec.  Never
 * prints; --debug transcript lines go through log_proto() with secrets
 * blanked.  Everything the server sends is untrusted. */
#ifndef POPMUCH_POP3_H
#define POPMUCH_POP3_H

#include <stddef.h>
#include <stdint.h>

#include "popmuch/err.h"
#include "popmuch/net.h"

#define POP3_LINE_MAX 512      /* status line incl. CRLF (RFC 2449 says 512) */
#define POP3_UIDL_MAX 70       /* RFC 1939: 1..70 characters 0x21..0x7e */
#define POP3_MSGS_MAX 1000000u /* more is absurd; bounds memory (~200 MB) */

struct pop3;

struct pop3_caps {
	int capa; /* the server answered CAPA */
	int top, user, uidl, pipelining, stls, resp_codes;
	int auth_resp_code;
	char sasl[256];	   /* space-separated SASL mechanisms, upper case */
	char apop_ts[256]; /* greeting timestamp "<...>", empty if none */
	int login_delay;   /* seconds, -1 if not advertised */
	int expire;	   /* days, -1 never/unknown */
};

struct pop3_msg {
	uint32_t num;	   /* message number, 1..n */
	uint32_t borrowed; /* uidl is the caller's (pop3_scan()'s intern),
			    * not the listing's: pop3_msgs_free() leaves it */
	uint64_t size;	   /* LIST size (octets, with CRLF) */
	char *uidl;	   /* NULL when the server has no UIDL */
};

/* One retrieved message is written to a sink: begin, data*, end. */
struct pop3_sink {
	/* Called before the first byte of message index i (into the nums
	 * array).  Nonzero status aborts the transfer. */
	enum pm_status (*begin)(void *ctx, size_t i, struct pm_err *err);
	enum pm_status (*data)(void *ctx, const char *buf, size_t len,
			       struct pm_err *err);
	/* Called after the terminating line (and, under pipelining, after
	 * the message's fence reply checked out): the message is complete
	 * and was this message's reply. */
	enum pm_status (*end)(void *ctx, size_t i, struct pm_err *err);
	/* The server answered -ERR for message index i; text is its reason,
	 * escaped.  Returning PM_OK skips the message and goes on.  NULL:
	 * an -ERR ends the transfer with the status its code maps to. */
	enum pm_status (*refused)(void *ctx, size_t i, const char *text,
				  struct pm_err *err);
	void *ctx;
};

/* Take ownership of conn and read the greeting.  *p_r is freed with
 * pop3_free() (which does not send QUIT). */
enum pm_status pop3_open(struct net_conn *conn, int timeout, struct pop3 **p_r,
			 struct pm_err *err);

/* The greeting text after "+OK", escaped (borrowed). */
const char *pop3_greeting(const struct pop3 *p);

/* The connection (borrowed), e.g. for net_tls_info(). */
struct net_conn *pop3_conn(struct pop3 *p);

/* Send CAPA and fill p's capabilities (an -ERR means "none known"). */
enum pm_status pop3_capa(struct pop3 *p, struct pm_err *err);
/* Capabilities known so far (borrowed). */
const struct pop3_caps *pop3_caps(const struct pop3 *p);

/* Override the server's PIPELINING announcement ("pipelining on|off"). */
void pop3_set_pipelining(struct pop3 *p, int on);

/* STLS then the TLS handshake.  Refused STLS, or bytes the server sent
 * after "+OK" and before the handshake, are errors.  CAPA is asked again
 * afterwards. */
enum pm_status pop3_stls(struct pop3 *p, const char *host,
			 const struct net_tls_opts *opts, struct pm_err *err);

/* Send one command line (without CRLF) and read its status line.  With
 * secret set the transcript shows only the command word.  On +OK
 * *reply_r (if not NULL) points to the text after "+OK " inside p's
 * buffer, valid until the next call.  -ERR gives PM_PROTOCOL, or the
 * status its response code maps to ([AUTH] → NOPERM, [IN-USE],
 * [LOGIN-DELAY], [SYS/TEMP] → TEMPFAIL, [SYS/PERM] → UNAVAILABLE),
 * with the server's text escaped in err. */
enum pm_status pop3_cmd(struct pop3 *p, const char *line, int secret,
			const char **reply_r, struct pm_err *err);

/* Two commands, as pop3_cmd() each, sent together when the server
 * announced PIPELINING (one round trip), one after the other otherwise.
 * The first failure is returned. */
enum pm_status pop3_cmd2(struct pop3 *p, const char *line1, int secret1,
			 const char *line2, int secret2, struct pm_err *err);

/* Read one status or continuation line ("+ ..." for SASL). */
enum pm_status pop3_read_line(struct pop3 *p, const char **line_r,
			      struct pm_err *err);
/* Write one raw line (CRLF added), secret: transcript blanked. */
enum pm_status pop3_write_line(struct pop3 *p, const char *line, int secret,
			       struct pm_err *err);

/* RETR (or "TOP n lines" when top_lines >= 0) each of nums[0..n) in
 * order into sink, pipelined when the server announced PIPELINING (a
 * window of commands in flight), one at a time otherwise.
 *
 * Under pipelining every command is followed by a fence, "UIDL n" (or
 * "LIST n" when uidls is NULL), whose reply must name n (and uidls[i]):
 * a stray or missing reply anywhere shows up there, before the sink's
 * end() is called for the message it would have corrupted.  Without
 * pipelining the caller fences with pop3_fence() before it trusts what
 * arrived.  Either way, data while no command is outstanding and a body
 * that begins with a status line mean replies are out of step.
 *
 * Returns: PM_OK; PM_PROTOCOL for replies out of step (pop3_desynced()
 * is then true), a malformed reply, or an -ERR when the sink takes no
 * refusals; the status an -ERR's response code maps to (see pop3_cmd);
 * PM_NETWORK or PM_TIMEOUT for the connection; or what a sink callback
 * returned.  After an error the session is unusable except for
 * pop3_free(). */
enum pm_status pop3_retr(struct pop3 *p, const uint32_t *nums,
			 const char *const *uidls, size_t n, long top_lines,
			 const struct pop3_sink *sink, struct pm_err *err);

/* DELE each of nums[0..n) (pipelined when possible).  ok_r[i] is set to
 * 1 when the server answered +OK for nums[i].  An -ERR for one message
 * is not an error of the call (the others still count); a broken or
 * desynchronised connection is. */
enum pm_status pop3_dele(struct pop3 *p, const uint32_t *nums, size_t n,
			 unsigned char *ok_r, struct pm_err *err);

/* True once replies were seen out of step (a reply that is no status
 * line, or data nobody asked for): everything received since the
 * pipeline was last in step is suspect. */
int pop3_desynced(const struct pop3 *p);

/* A fence on its own: "UIDL num" (or "LIST num" when uidl is NULL) must
 * answer for num (and uidl).  Sizes are advisory and not compared.
 * Returns: PM_OK; PM_PROTOCOL when it does not (pop3_desynced() is then
 * true) or data arrived unasked; PM_NETWORK or PM_TIMEOUT. */
enum pm_status pop3_fence(struct pop3 *p, uint32_t num, const char *uidl,
			  struct pm_err *err);

/* QUIT: PM_OK only when the server answered +OK (deletions committed). */
enum pm_status pop3_quit(struct pop3 *p, struct pm_err *err);

/* QUIT without waiting for the answer, for a session that marked
 * nothing deleted: the answer then tells the client nothing (RFC 1939:
 * QUIT commits the deletions), and waiting costs a round trip.  The
 * server has read QUIT before its answer can meet a closed socket.
 * Returns: PM_OK; PM_PROTOCOL when data arrived unasked (as pop3_cmd);
 * PM_NETWORK or PM_TIMEOUT when QUIT cannot be sent. */
enum pm_status pop3_quit_unanswered(struct pop3 *p, struct pm_err *err);

/* Close and free; NULL is fine. */
void pop3_free(struct pop3 **p);

/* ---- pure parsers, exported for tests and fuzzing ---- */

/* Parse a status line (without CRLF).  Returns 1 for +OK, 0 for -ERR,
 * -1 for anything else.  *text_r points into line after the indicator. */
int pop3_parse_status(const char *line, const char **text_r);
/* Map the response code at the start of an -ERR text ("[IN-USE] ...")
 * to a status (PM_PROTOCOL when there is none). */
enum pm_status pop3_resp_code_status(const char *text);
/* Apply one CAPA line to caps. */
void pop3_parse_capa_line(struct pop3_caps *caps, const char *line);

#endif
