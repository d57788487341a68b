/* retention.h: the leave-on-server policy as a pure decision.
 *
 * Given the server's list, what the journal knows, the policy and the
 * time, decide per message whether to download it and whether to delete
 * it.  No I/O.  The caller still checks, at DELE time, that each message
 * is durably stored with a matching UIDL and size (fetch.c). */
#ifndef POPMUCH_RETENTION_H
#define POPMUCH_RETENTION_H

#include <stddef.h>
#include <stdint.h>

#include "popmuch/config.h"

/* One per message on the server (24 bytes: 100,000 of them are 2.4 MB). */
struct ret_msg {
	/* input */
	uint32_t num;
	unsigned known : 1; /* delivered before, UIDL and size match */
	/* output */
	unsigned fetch : 1;   /* download it */
	unsigned dele : 1;    /* delete it (after download when fetch is set) */
	unsigned skipped : 1; /* left alone: over skipsize, or over killsize
			       * while keep or no_delete forbids deleting */
	unsigned killed : 1;  /* over killsize: delete without download */
	uint64_t size;
	int64_t first_seen; /* when known */
};

struct ret_policy {
	enum cfg_keep keep;
	int64_t keep_seconds;
	long keep_max;	   /* -1: no limit */
	uint64_t skipsize; /* 0: off */
	uint64_t killsize; /* 0: off */
	int only_new;
	int no_delete; /* journal damaged, dry-run safety, ... */
};

/* Fill the output fields of msgs[0..n) (in server order: a higher
 * number is newer). */
void retention_plan(struct ret_msg *msgs, size_t n,
		    const struct ret_policy *policy, int64_t now);

/* Fill a policy from an account's settings. */
void retention_policy_from(const struct account *acct,
			   struct ret_policy *policy_r);

#endif
