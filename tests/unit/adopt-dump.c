/* adopt-dump: print what adopt_load_account() finds for an account of a
 * config, for tests/integration/t-adopt.sh (which compares it with the
 * UIDLs the server lists after real mpop, fetchmail and getmail6 runs).
 *
 * Usage: adopt-dump CONFIG ACCOUNT
 * Output: one "UIDL FIRST-SEEN SOURCE[,SOURCE]" line per UIDL on stdout,
 * the files read on stderr ("file: PATH"); exit 0, or the status's
 * sysexits code with the error on stderr. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "popmuch/adopt.h"
#include "popmuch/config.h"

int
main(int argc, char **argv)
{
	struct config *cfg = NULL;
	struct adopt_set *set;
	const struct adopt_entry *e;
	struct account *a;
	struct pm_err err;
	enum pm_status st;
	char *files = NULL;
	unsigned bit;
	size_t i;

	if (argc != 3) {
		fprintf(stderr, "usage: adopt-dump CONFIG ACCOUNT\n");
		return 64;
	}
	if ((st = config_load(argv[1], &cfg, &err)) != PM_OK) {
		fprintf(stderr, "adopt-dump: %s\n", err.msg);
		return err_exitcode(st);
	}
	if ((a = config_account(cfg, argv[2])) == NULL) {
		fprintf(stderr, "adopt-dump: no account %s\n", argv[2]);
		config_free(&cfg);
		return 64;
	}
	set = adopt_set_new();
	st = adopt_load_account(set, a, &files, &err);
	if (st != PM_OK)
		fprintf(stderr, "adopt-dump: %s\n", err.msg);
	if (files != NULL && *files != '\0')
		fprintf(stderr, "file: %s\n", files);
	for (i = 0; st == PM_OK && (e = adopt_entry_at(set, i)) != NULL; i++) {
		printf("%s %lld ", e->uidl, (long long)e->first_seen);
		for (bit = 1; bit <= ADOPT_GETMAIL; bit <<= 1)
			if (e->sources & bit)
				printf("%s%s", adopt_source_name(bit),
				       (e->sources & ~((bit << 1) - 1)) ? ","
									: "");
		printf("\n");
	}
	free(files);
	adopt_set_free(&set);
	config_free(&cfg);
	return err_exitcode(st);
}
