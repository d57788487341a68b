/* secret.c: placeholder until written */
#include "config.h"
extern int secret_placeholder;
