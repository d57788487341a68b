/* retention.c: the leave-on-server policy as a pure decision.
 *
 * Rules, in order (mpop's keywords):
 *   killsize: over it and keep off → delete without downloading.  When
 *     something keeps it on the server (keep on/days, or no_delete) the
 *     message is left alone and reported as skipped: a message the user
 *     refuses to download is never downloaded.
 *   skipsize: over it → left alone, neither downloaded nor deleted.
 *   otherwise download unless known, or always when only_new is off.
 *   keep off: delete every message that is known or downloaded now;
 *   keep DAYS: delete known messages first seen at least keep_seconds ago;
 *   keep on: delete nothing.
 *   keep_max N: while more than N messages would stay on the server,
 *     delete the oldest (lowest number) that are stored locally (known or
 *     downloaded now).  Skipped messages count as staying but are never
 *     deleted by this rule, since they are not stored.
 *   no_delete: nothing is deleted, whatever the rules above said. */
#include "config.h"

#include "popmuch/retention.h"

static int
aged_out(const struct ret_msg *m, const struct ret_policy *p, int64_t now)
{
	int64_t limit;

	if (!m->known || p->keep_seconds < 0)
		return 0;
	if (__builtin_sub_overflow(now, p->keep_seconds, &limit))
		return 0;
	return m->first_seen <= limit;
}

static void
plan_one(struct ret_msg *m, const struct ret_policy *p, int64_t now)
{
	m->fetch = m->dele = m->skipped = m->killed = 0;
	if (p->killsize > 0 && m->size > p->killsize) {
		if (p->keep == CFG_KEEP_OFF && !p->no_delete)
			m->killed = m->dele = 1;
		else
			m->skipped = 1;
		return;
	}
	if (p->skipsize > 0 && m->size > p->skipsize) {
		m->skipped = 1;
		return;
	}
	m->fetch = !m->known || !p->only_new;
	switch (p->keep) {
	case CFG_KEEP_OFF:
		m->dele = m->known || m->fetch;
		break;
	case CFG_KEEP_DAYS:
		m->dele = aged_out(m, p, now);
		break;
	case CFG_KEEP_ON:
	default:
		m->dele = 0;
		break;
	}
}

static void
apply_keep_max(struct ret_msg *msgs, size_t n, long keep_max)
{
	size_t remaining = 0, i;

	for (i = 0; i < n; i++)
		if (!msgs[i].dele)
			remaining++;
	for (i = 0; i < n && remaining > (size_t)keep_max; i++) {
		struct ret_msg *m = &msgs[i];

		if (m->dele || m->skipped || !(m->known || m->fetch))
			continue;
		m->dele = 1;
		remaining--;
	}
}

void
retention_plan(struct ret_msg *msgs, size_t n, const struct ret_policy *policy,
	       int64_t now)
{
	size_t i;

	for (i = 0; i < n; i++)
		plan_one(&msgs[i], policy, now);
	if (policy->keep_max >= 0)
		apply_keep_max(msgs, n, policy->keep_max);
	if (policy->no_delete)
		for (i = 0; i < n; i++)
			msgs[i].dele = msgs[i].killed = 0;
}

void
retention_policy_from(const struct account *acct, struct ret_policy *policy_r)
{
	policy_r->keep = acct->keep;
	policy_r->keep_seconds = acct->keep_seconds;
	policy_r->keep_max = acct->keep_max;
	policy_r->skipsize = acct->skipsize;
	policy_r->killsize = acct->killsize;
	policy_r->only_new = acct->only_new;
	policy_r->no_delete = 0;
}
