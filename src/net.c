/* net.c: placeholder until written */
#include "config.h"
extern int net_placeholder;
