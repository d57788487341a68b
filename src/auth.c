/* auth.c: placeholder until written */
#include "config.h"
extern int auth_placeholder;
