/* config.c: placeholder until written */
#include "config.h"
extern int config_placeholder;
