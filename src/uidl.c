/* uidl.c: placeholder until written */
#include "config.h"
extern int uidl_placeholder;
