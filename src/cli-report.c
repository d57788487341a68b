/* cli-report.c: what "popmuch probe" and "popmuch status" print (see
 * cli-report.h). */
#include "config.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "popmuch/token.h"
#include "cli-report.h"

static void
print_tls(const struct probe_report *r, FILE *f)
{
	const struct net_tls_info *t = &r->tls_info;
	char from[32] = "?", until[32] = "?";

	if (t->not_before != 0)
		strftime(from, sizeof(from), "%Y-%m-%d",
			 gmtime(&t->not_before));
	if (t->not_after != 0)
		strftime(until, sizeof(until), "%Y-%m-%d",
			 gmtime(&t->not_after));
	fprintf(f, "TLS:           %s, %s\n", t->version, t->cipher);
	fprintf(f, "Certificate:   %s\n", t->subject);
	fprintf(f, "Issuer:        %s\n", t->issuer);
	fprintf(f, "Valid:         %s to %s\n", from, until);
	fprintf(f, "Verified:      %s\n",
		r->cert_problem ? "NO (see the warning below)" : "yes");
	fprintf(f, "SHA-256:       %s\n", t->sha256);
	fprintf(f, "               (for 'tls_fingerprint %s')\n", t->sha256);
}

void
cli_report_probe(const struct probe_report *r, FILE *f)
{
	fprintf(f, "Server:        %s port %u (%s)\n", r->host, r->port,
		r->tls_mode ? r->tls_mode : "?");
	if (r->greeting)
		fprintf(f, "Greeting:      %s\n", r->greeting);
	if (r->tls)
		print_tls(r, f);
	if (r->capa) {
		fprintf(f, "Capabilities:  %s\n", r->capa);
		fprintf(f, "Auth offered:  %s%s%s\n", r->sasl,
			r->user_cmd ? " USER" : "", r->apop ? " APOP" : "");
		fprintf(f, "UIDL:          %s\nPIPELINING:    %s\n",
			r->uidl > 0    ? "yes"
			: r->uidl == 0 ? "no"
				       : "unknown",
			r->pipelining ? "yes" : "no");
	}
	if (r->auth_method)
		fprintf(f, "Auth method:   %s\n", r->auth_method);
	if (r->login_ok)
		fprintf(f, "Login:         ok\n");
	else if (r->login_tried)
		fprintf(f, "Login:         FAILED: %s\n", r->login_error);
	else if (r->login_error)
		fprintf(f, "Login:         %s\n", r->login_error);
	else if (r->capa)
		fprintf(f, "Login:         not tried (probe an account "
			   "name to test the login)\n");
	if (r->stat_ok)
		fprintf(f,
			"STAT:          %" PRIu32 " messages, %" PRIu64
			" bytes\n",
			r->count, r->size);
	for (size_t i = 0; i < r->nwarnings; i++)
		fprintf(f, "Warning:       %s\n", r->warnings[i]);
}

static void
print_when(FILE *f, const char *label, int64_t when, int seconds)
{
	char buf[64];
	time_t t = (time_t)when;
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL ||
	    strftime(buf, sizeof(buf),
		     seconds ? "%Y-%m-%d %H:%M:%S" : "%Y-%m-%d %H:%M",
		     &tm) == 0)
		(void)snprintf(buf, sizeof(buf), "@%lld", (long long)when);
	fprintf(f, "%s%s", label, buf);
}

static void
print_retention(const struct account *a, const struct status_info *s, FILE *f)
{
	if (a->keep != CFG_KEEP_DAYS) {
		fprintf(f, "  retention:      %s\n",
			a->keep == CFG_KEEP_ON
			    ? "keep on (nothing is deleted)"
			    : "keep off (deleted once stored)");
		return;
	}
	fprintf(f,
		"  retention:      keep %lldd: %" PRIu64
		" due for deletion at the next run",
		(long long)(a->keep_seconds / 86400), s->due_now);
	if (s->next_due != 0)
		print_when(f, "; the next falls due ", s->next_due, 0);
	fputc('\n', f);
}

/* What keeps messages on the server or the journal from being trusted. */
static void
print_trouble(const struct status_info *s, FILE *f)
{
	if (s->failing > 0) {
		fprintf(f,
			"  not retrieved:  %" PRIu64 " message(s) the "
			"server would not send (RETR -ERR)",
			s->failing);
		print_when(f, ", failing since ", s->failing_since, 1);
		fputc('\n', f);
	}
	if (s->not_mail > 0)
		fprintf(f,
			"  not email:      %" PRIu64 " stored file(s) notmuch "
			"refused; kept on the server (see the warnings)\n",
			s->not_mail);
	if (s->no_pipelining[0])
		fprintf(f, "  pipelining:     off: %s\n", s->no_pipelining);
	if (s->damaged[0])
		fprintf(f, "  journal damage: %s\n", s->damaged);
}

static void
print_token(const struct account *a, const struct status_info *s, FILE *f)
{
	const struct token_info *t = &s->token;

	if (!t->present) {
		fprintf(f,
			"  oauth2 token:   none ('popmuch auth %s' signs "
			"in)\n",
			a->name);
		return;
	}
	fprintf(f, "  oauth2 token:   in the %s; access token ", t->backend);
	if (t->access_expires > (int64_t)time(NULL))
		print_when(f, "valid until ", t->access_expires, 0);
	else
		fprintf(f, "expired (the next fetch refreshes it)");
	print_when(f, "\n  refresh token:  obtained ", t->refresh_obtained, 0);
	fprintf(f, ", %d day(s) since last obtained or used\n",
		s->token_idle_days);
	if (s->token_warn)
		fprintf(f,
			"  warning:        the refresh token has not been "
			"used for %d days; Microsoft drops one after %d "
			"days without use: fetch, or run 'popmuch auth "
			"%s'\n",
			s->token_idle_days, TOKEN_IDLE_LIMIT_DAYS, a->name);
}

void
cli_report_status(const struct account *a, const struct status_info *s, FILE *f)
{
	fprintf(f, "%s:\n", a->name);
	if (s->has_run) {
		print_when(f, "  last run:       ", s->last_time, 1);
		fprintf(f, ", %s\n", s->last_status);
	} else {
		fprintf(f, "  last run:       never\n");
	}
	if (s->has_run && s->last_message[0])
		fprintf(f, "  last error:     %s\n", s->last_message);
	if (s->running)
		fprintf(f, "  fetch running:  yes (the account is locked)\n");
	if (s->has_run && strcmp(s->last_status, "OK") == 0)
		fprintf(f,
			"  on the server:  %" PRIu32 " kept there (of %" PRIu32
			" at the start of the last run)\n",
			s->kept, s->on_server);
	if (s->has_run)
		fprintf(f,
			"  last fetch:     %" PRIu32 " new, %" PRIu32
			" deleted on the server\n",
			s->fetched, s->deleted);
	if (s->maildir_count >= 0)
		fprintf(f, "  delivered:      %lld in %s\n",
			(long long)s->maildir_count, s->maildir);
	fprintf(f, "  journal:        %" PRIu64 " message(s) known\n",
		s->journal_entries);
	print_retention(a, s, f);
	fprintf(f, "  index pending:  %" PRIu64 "%s\n", s->index_pending,
		s->index_pending ? " ('popmuch index' catches up)" : "");
	print_trouble(s, f);
	if (s->oauth2)
		print_token(a, s, f);
}
