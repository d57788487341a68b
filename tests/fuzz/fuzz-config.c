/* fuzz-config.c: libFuzzer harness for the configuration parser. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "popmuch/config.h"
#include "popmuch/xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config *cfg = NULL;
	struct pm_err err;
	char *text = xmalloc(size + 1);
	size_t i;

	memcpy(text, data, size);
	text[size] = '\0';
	if (config_parse_string("fuzz", text, &cfg, &err) == PM_OK) {
		/* Touch every account so ASan sees bad pointers. */
		for (i = 0; i < cfg->naccounts; i++) {
			struct account *a = cfg->accounts[i];

			if (config_account(cfg, a->name) != a ||
			    a->host == NULL)
				__builtin_trap();
		}
	} else if (cfg != NULL || err.msg[0] == '\0') {
		__builtin_trap();
	}
	config_free(&cfg);
	free(text);
	return 0;
}
