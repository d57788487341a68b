/* fuzz-pop3: the status, LIST, UIDL and CAPA line parsers. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "popmuch/pop3.h"
#include "popmuch/pop3-list.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = malloc(size + 1);
	struct pop3_caps caps;
	const char *text, *uidl;
	uint32_t num;
	uint64_t sz;
	size_t len;

	memcpy(line, data, size);
	line[size] = '\0';
	memset(&caps, 0, sizeof(caps));
	if (pop3_parse_status(line, &text) >= 0)
		(void)pop3_resp_code_status(text);
	(void)pop3_parse_list_line(line, &num, &sz);
	if (pop3_parse_uidl_line(line, &num, &uidl, &len) == 0 &&
	    (len == 0 || len > POP3_UIDL_MAX))
		abort();
	pop3_parse_capa_line(&caps, line);
	if (memchr(caps.sasl, '\0', sizeof(caps.sasl)) == NULL)
		abort();
	free(line);
	return 0;
}
