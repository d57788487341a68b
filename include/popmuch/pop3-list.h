/* pop3-list.h: the scan listing of a POP3 session (RFC 1939 STAT, LIST,
 * UIDL): what the server holds, by number, size and unique id.  Never
 * prints; everything the server sends is untrusted. */
#ifndef POPMUCH_POP3_LIST_H
#define POPMUCH_POP3_LIST_H

#include <stddef.h>
#include <stdint.h>

#include "popmuch/err.h"
#include "popmuch/pop3.h"

/* STAT: message count and total size.
 * Returns: PM_OK; PM_PROTOCOL for a malformed reply; the statuses of
 * pop3_cmd() (an -ERR by its response code, PM_NETWORK, PM_TIMEOUT). */
enum pm_status pop3_stat(struct pop3 *p, uint32_t *count_r, uint64_t *size_r,
			 struct pm_err *err);

/* LIST and (if want_uidl) UIDL.  *msgs_r is an array of *n_r messages in
 * number order (caller frees with pop3_msgs_free()).  Malformed lines,
 * numbers out of range or repeated, UIDLs that are empty, too long or
 * repeated give PM_PROTOCOL.  If want_uidl and the server refuses UIDL,
 * returns PM_OK with every uidl NULL.
 * Returns: PM_OK; PM_PROTOCOL as above; the status of an -ERR to LIST
 * (by its response code); PM_NETWORK, PM_TIMEOUT. */
enum pm_status pop3_list(struct pop3 *p, int want_uidl,
			 struct pop3_msg **msgs_r, size_t *n_r,
			 struct pm_err *err);
void pop3_msgs_free(struct pop3_msg *msgs, size_t n);

/* A copy of uidl the caller already holds (the journal's), or NULL.  It
 * must give the same pointer for the same UIDL and keep it valid and
 * unchanged while the listing is used: the listing then holds no copy
 * of its own (100,000 known UIDLs are no allocation). */
typedef const char *pop3_intern_fn(void *ctx, const char *uidl);

/* STAT and UIDL (in one round trip under PIPELINING), no LIST: a poll
 * that needs no sizes asks for no sizes.  *msgs_r is an array of *n_r
 * messages in number order with size 0 (caller frees with
 * pop3_msgs_free(); pop3_list_sizes() fills the sizes); *stat_count_r
 * and *stat_size_r are STAT's.  Each UIDL intern (when not NULL) knows
 * is its pointer (the message is marked borrowed); the others are
 * copied.  A server that refuses UIDL gives PM_OK with *uidl_ok_r 0 and
 * no messages (list with pop3_list()).
 * Returns: PM_OK; PM_PROTOCOL for a malformed STAT or UIDL line, a
 * number or UIDL listed twice; the status of an -ERR to STAT (by its
 * response code); PM_NETWORK, PM_TIMEOUT. */
enum pm_status pop3_scan(struct pop3 *p, pop3_intern_fn *intern,
			 void *intern_ctx, struct pop3_msg **msgs_r,
			 size_t *n_r, uint32_t *stat_count_r,
			 uint64_t *stat_size_r, int *uidl_ok_r,
			 struct pm_err *err);

/* LIST, into the sizes of msgs[0..n) as pop3_scan() gave them: LIST
 * must show exactly those numbers.
 * Returns: PM_OK; PM_PROTOCOL for a malformed line, a number UIDL did
 * not show or shown twice, or fewer lines; the status of an -ERR to LIST
 * (by its response code); PM_NETWORK, PM_TIMEOUT. */
enum pm_status pop3_list_sizes(struct pop3 *p, struct pop3_msg *msgs, size_t n,
			       struct pm_err *err);

/* ---- pure parsers, exported for tests and fuzzing ---- */

/* Parse "N SIZE" (LIST) and "N UIDL" (UIDL) lines.  Return 0 if valid. */
int pop3_parse_list_line(const char *line, uint32_t *num_r, uint64_t *size_r);
int pop3_parse_uidl_line(const char *line, uint32_t *num_r, const char **uidl_r,
			 size_t *len_r);

#endif
