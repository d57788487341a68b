/* jmailbox.c: the mailbox a journal speaks for (jmailbox.h). */
#include "config.h"

#include <nettle/sha2.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "popmuch/jmailbox.h"
#include "popmuch/xmalloc.h"

int
jmailbox_same(const char *a, const char *b)
{
	const char *ca = strrchr(a, ':'), *cb = strrchr(b, ':');

	if (strcmp(a, b) == 0)
		return 1;
	return ca != NULL && cb != NULL && ca - a == cb - b &&
	       strncmp(a, b, (size_t)(ca - a)) == 0;
}

char *
jmailbox_aside_path(const char *jpath, const char *mailbox)
{
	const char *colon = strrchr(mailbox, ':');
	size_t len =
	    colon != NULL ? (size_t)(colon - mailbox) : strlen(mailbox);
	struct sha256_ctx c;
	uint8_t d[SHA256_DIGEST_SIZE];
	char hex[17];

	sha256_init(&c);
	sha256_update(&c, len, (const uint8_t *)mailbox);
	sha256_digest(&c, sizeof(d), d);
	for (size_t k = 0; k < 8; k++)
		(void)snprintf(hex + 2 * k, 3, "%02x", d[k]);
	return xasprintf("%s.%s", jpath, hex);
}
