/* cli-compose.h: the command line of compose, reply, forward and send
 * (cli-compose.c), next to main.c.  These report on stderr/stdout. */
#ifndef POPMUCH_CLI_COMPOSE_H
#define POPMUCH_CLI_COMPOSE_H

#include <stdio.h>

#include "popmuch/config.h"

/* When argv names one of compose, reply, forward or send (after the
 * global options -C FILE, -q, -v), run it and return its exit code;
 * else return -1 and leave everything to main(). */
int cli_compose_main(int argc, char **argv);

/* The outbox lines of "popmuch status" for cfg, on f.  Returns 0, or an
 * exit code when the outbox cannot be read. */
int cli_outbox_status(const struct config *cfg, FILE *f);

#endif
