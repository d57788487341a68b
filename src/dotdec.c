/* dotdec.c: placeholder until written */
#include "config.h"
extern int dotdec_placeholder;
