/* floatgw native module: the one function main.c calls. */
#ifndef FLOATGW_NATIVE_H
#define FLOATGW_NATIVE_H
#include "quickjs.h"
JSModuleDef *js_init_module_native(JSContext *ctx, const char *module_name);
#endif
