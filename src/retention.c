/* retention.c: placeholder until written */
#include "config.h"
extern int retention_placeholder;
