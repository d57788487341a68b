/* cli-report.h: what "popmuch probe" and "popmuch status" print
 * (cli-report.c), next to main.c.  Printing only: the reports come from
 * probe.c and status.c. */
#ifndef POPMUCH_CLI_REPORT_H
#define POPMUCH_CLI_REPORT_H

#include <stdio.h>

#include "popmuch/config.h"
#include "popmuch/probe.h"
#include "popmuch/status.h"

/* The report of one probe on f: server, greeting, TLS and certificate,
 * capabilities, login, STAT, one line per warning.  Cannot fail (a
 * write error shows on f). */
void cli_report_probe(const struct probe_report *r, FILE *f);

/* The status of account a (s from status_collect()) on f: last run,
 * server, journal, retention, trouble, the OAuth2 token.  Cannot fail. */
void cli_report_status(const struct account *a, const struct status_info *s,
		       FILE *f);

#endif
