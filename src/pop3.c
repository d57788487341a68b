/* pop3.c: placeholder until written */
#include "config.h"
extern int pop3_placeholder;
