/* err.c: the status table and error messages. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "popmuch/err.h"

static const struct {
	const char *name;
	int exitcode;
	const char *desc;
} status_table[] = {
#define PM_STATUS_ROW(name, code, desc) {#name, code, desc},
    PM_STATUS_LIST(PM_STATUS_ROW)
#undef PM_STATUS_ROW
};

void
err_clear(struct pm_err *err)
{
	if (err == NULL)
		return;
	err->code = PM_OK;
	err->msg[0] = '\0';
}

enum pm_status
err_set(struct pm_err *err, enum pm_status code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return code;
	err->code = code;
	va_start(ap, fmt);
	(void)vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

enum pm_status
err_prefix(struct pm_err *err, const char *fmt, ...)
{
	char old[PM_ERR_MSG_MAX];
	size_t len;
	va_list ap;

	if (err == NULL)
		return PM_SOFTWARE;
	memcpy(old, err->msg, sizeof(old));
	va_start(ap, fmt);
	(void)vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	len = strlen(err->msg);
	if (len + 2 < sizeof(err->msg)) {
		memcpy(err->msg + len, ": ", 3);
		len += 2;
		(void)snprintf(err->msg + len, sizeof(err->msg) - len, "%s",
			       old);
	}
	return err->code;
}

static int
valid(enum pm_status code)
{
	return (unsigned)code < PM_STATUS_COUNT;
}

int
err_exitcode(enum pm_status code)
{
	return valid(code) ? status_table[code].exitcode : 70;
}

const char *
err_name(enum pm_status code)
{
	return valid(code) ? status_table[code].name : "SOFTWARE";
}

const char *
err_desc(enum pm_status code)
{
	return valid(code) ? status_table[code].desc : "internal error";
}

enum pm_status
err_from_name(const char *name)
{
	for (unsigned i = 0; i < PM_STATUS_COUNT; i++)
		if (strcmp(status_table[i].name, name) == 0)
			return (enum pm_status)i;
	return PM_STATUS_COUNT;
}

int
err_severity(enum pm_status code)
{
	/* Local and software failures first: they may mean mail at risk.
	 * Then configuration, credentials, protocol, unavailability, and
	 * temporary failures last (cron will simply try again). */
	switch (err_exitcode(code)) {
	case 0:
		return 0;
	case 75:
		return 1;
	case 69:
		return 2;
	case 76:
		return 3;
	case 77:
		return 4;
	case 78:
		return 5;
	case 64:
		return 6;
	case 65:
		return 6;
	case 73:
		return 7;
	case 74:
		return 8;
	default:
		return 9;
	}
}
