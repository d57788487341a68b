/* index.c: placeholder until written */
#include "config.h"
extern int index_placeholder;
