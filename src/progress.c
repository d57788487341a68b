/* progress.c: placeholder until written */
#include "config.h"
extern int progress_placeholder;
