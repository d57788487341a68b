/* maildir.c: placeholder until written */
#include "config.h"
extern int maildir_placeholder;
