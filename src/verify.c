/* verify.c: header hashes and fingerprints through TOP n 0 (verify.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/sha2.h>

#include "popmuch/pop3.h"
#include "popmuch/verify.h"
#include "popmuch/xmalloc.h"

/* ---- header hashes ----------------------------------------------------- */

struct hh_ctx {
	struct hdrhash h;
	char (*out)[HDRHASH_HEX + 1];
	size_t refused;
};

static enum pm_status
hh_begin(void *ctx, size_t i, struct pm_err *err)
{
	struct hh_ctx *c = ctx;

	(void)i;
	(void)err;
	hdrhash_init(&c->h);
	return PM_OK;
}

static enum pm_status
hh_data(void *ctx, const char *buf, size_t len, struct pm_err *err)
{
	struct hh_ctx *c = ctx;

	(void)err;
	hdrhash_feed(&c->h, buf, len);
	return PM_OK;
}

static enum pm_status
hh_end(void *ctx, size_t i, struct pm_err *err)
{
	struct hh_ctx *c = ctx;

	(void)err;
	hdrhash_final(&c->h, c->out[i]);
	return PM_OK;
}

static enum pm_status
hh_refused(void *ctx, size_t i, const char *text, struct pm_err *err)
{
	struct hh_ctx *c = ctx;

	(void)text;
	(void)err;
	c->out[i][0] = '\0';
	c->refused++;
	return PM_OK;
}

enum pm_status
verify_headers(struct pop3 *p, const uint32_t *nums, const char *const *uidls,
	       size_t n, char (*hashes_r)[HDRHASH_HEX + 1], struct pm_err *err)
{
	struct hh_ctx c = {.out = hashes_r};
	struct pop3_sink sink = {hh_begin, hh_data, hh_end, hh_refused, &c};
	enum pm_status st;

	for (size_t i = 0; i < n; i++)
		hashes_r[i][0] = '\0';
	if (n == 0)
		return PM_OK;
	st = pop3_retr(p, nums, uidls, n, 0, &sink, err);
	if (st == PM_OK && c.refused == n)
		return err_set(err, PM_UNAVAILABLE,
			       "the server answers TOP with -ERR");
	return st;
}

/* ---- raw headers (mpop's filter) ---------------------------------------- */

struct raw_ctx {
	char *buf;
	size_t len;
	void (*each)(void *ctx, size_t i, const char *header, size_t len);
	void *ctx;
};

static enum pm_status
raw_begin(void *ctx, size_t i, struct pm_err *err)
{
	struct raw_ctx *c = ctx;

	(void)i;
	(void)err;
	c->len = 0;
	return PM_OK;
}

static enum pm_status
raw_data(void *ctx, const char *buf, size_t len, struct pm_err *err)
{
	struct raw_ctx *c = ctx;
	size_t room = VERIFY_HEADER_MAX - c->len;

	(void)err;
	if (len > room)
		len = room; /* the rest of an absurd header is dropped */
	memcpy(c->buf + c->len, buf, len);
	c->len += len;
	return PM_OK;
}

static enum pm_status
raw_end(void *ctx, size_t i, struct pm_err *err)
{
	struct raw_ctx *c = ctx;

	(void)err;
	c->each(c->ctx, i, c->buf, c->len);
	return PM_OK;
}

static enum pm_status
raw_refused(void *ctx, size_t i, const char *text, struct pm_err *err)
{
	(void)ctx;
	(void)i;
	(void)text;
	(void)err;
	return PM_OK;
}

enum pm_status
verify_each_header(struct pop3 *p, const uint32_t *nums,
		   const char *const *uidls, size_t n,
		   void (*each)(void *ctx, size_t i, const char *header,
				size_t len),
		   void *ctx, struct pm_err *err)
{
	struct raw_ctx c = {xmalloc(VERIFY_HEADER_MAX), 0, each, ctx};
	struct pop3_sink sink = {raw_begin, raw_data, raw_end, raw_refused, &c};
	enum pm_status st =
	    n > 0 ? pop3_retr(p, nums, uidls, n, 0, &sink, err) : PM_OK;

	free(c.buf);
	return st;
}

/* ---- fingerprints ------------------------------------------------------- */

struct fp_ctx {
	struct pop3_msg *msgs;
	struct sha256_ctx sha;
};

static enum pm_status
fp_begin(void *ctx, size_t i, struct pm_err *err)
{
	struct fp_ctx *f = ctx;

	(void)i;
	(void)err;
	sha256_init(&f->sha);
	return PM_OK;
}

static enum pm_status
fp_data(void *ctx, const char *buf, size_t len, struct pm_err *err)
{
	struct fp_ctx *f = ctx;

	(void)err;
	sha256_update(&f->sha, len, (const uint8_t *)buf);
	return PM_OK;
}

static enum pm_status
fp_end(void *ctx, size_t i, struct pm_err *err)
{
	struct fp_ctx *f = ctx;
	struct pop3_msg *m = &f->msgs[i];
	uint8_t d[SHA256_DIGEST_SIZE];
	char hex[2 * 20 + 1];
	unsigned dup = 1;

	(void)err;
	sha256_update(&f->sha, sizeof(m->size), (const uint8_t *)&m->size);
	sha256_digest(&f->sha, sizeof(d), d);
	for (size_t k = 0; k < 20; k++)
		(void)snprintf(hex + 2 * k, 3, "%02x", d[k]);
	/* Identical headers and size: number the copies in server order. */
	for (size_t k = 0; k < i; k++)
		if (strncmp(f->msgs[k].uidl + 3, hex, 40) == 0)
			dup++;
	m->uidl = dup == 1 ? xasprintf("fp-%s", hex)
			   : xasprintf("fp-%s-%u", hex, dup);
	return PM_OK;
}

enum pm_status
verify_fingerprints(struct pop3 *p, struct pop3_msg *msgs, size_t n,
		    struct pm_err *err)
{
	struct fp_ctx f = {.msgs = msgs};
	struct pop3_sink sink = {fp_begin, fp_data, fp_end, NULL, &f};
	uint32_t *nums = xcalloc(n + 1, sizeof(*nums));
	enum pm_status st;

	for (size_t i = 0; i < n; i++)
		nums[i] = msgs[i].num;
	st = pop3_retr(p, nums, NULL, n, 0, &sink, err);
	free(nums);
	return st;
}
