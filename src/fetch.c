/* fetch.c: placeholder until written */
#include "config.h"
extern int fetch_placeholder;
