/* floatgw native module: the functions main.c calls. */
#ifndef FLOATGW_NATIVE_H
#define FLOATGW_NATIVE_H
#include "quickjs.h"
JSModuleDef *js_init_module_native(JSContext *ctx, const char *module_name);
/* Which helper child argv[0] names: 'W' (the watcher), 'L' (the listener),
 * or 0 (none). */
int helper_child(const char *name);
/* The helper children's C-only mode: returns unless argv[0] names one. */
void run_child(const char *name);
#endif
