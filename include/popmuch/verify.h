/* verify.h: who a message on the server is, from its header (TOP n 0).
 *
 * Two uses: the header fingerprints that stand in for UIDLs on servers
 * without UIDL ("uidl_fallback top"), and the header hashes that the
 * rule for DELE compares with what was stored (doc/HACKING.md): before
 * popmuch deletes a message it did not retrieve in this session, or
 * takes a known UIDL whose size changed for the message it stored.
 * Both go through pop3_retr(), so they are fenced like RETR. */
#ifndef POPMUCH_VERIFY_H
#define POPMUCH_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include "popmuch/err.h"
#include "popmuch/hdrhash.h"

struct pop3;
struct pop3_msg;

/* The header hash of each message nums[i] (uidls[i] its UIDL, for the
 * fences) into hashes_r[i]; "" for a message the server refused TOP
 * for.  Returns: PM_OK; PM_UNAVAILABLE when the server does not do TOP
 * at all (every hash ""); the statuses of pop3_retr(). */
enum pm_status verify_headers(struct pop3 *p, const uint32_t *nums,
			      const char *const *uidls, size_t n,
			      char (*hashes_r)[HDRHASH_HEX + 1],
			      struct pm_err *err);

/* The header block of each message nums[i] (TOP n 0, with the empty
 * line after it; at most VERIFY_HEADER_MAX bytes kept) handed to
 * each(ctx, i, header, len) as it arrives; a message the server refuses
 * TOP for is skipped.  Returns: PM_OK; the statuses of pop3_retr(). */
#define VERIFY_HEADER_MAX (256u << 10)
enum pm_status verify_each_header(struct pop3 *p, const uint32_t *nums,
				  const char *const *uidls, size_t n,
				  void (*each)(void *ctx, size_t i,
					       const char *header, size_t len),
				  void *ctx, struct pm_err *err);

/* Give each of msgs[0..n) a fingerprint id "fp-<40 hex>" (a SHA-256 of
 * its header and its size; copies with the same header and size are
 * numbered "-2", "-3"... in server order) in place of a UIDL.
 * Returns: the statuses of pop3_retr(). */
enum pm_status verify_fingerprints(struct pop3 *p, struct pop3_msg *msgs,
				   size_t n, struct pm_err *err);

#endif
