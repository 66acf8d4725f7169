/* The daemon engine's allocator for small blocks (heap.c). */
#ifndef FLOATGW_HEAP_H
#define FLOATGW_HEAP_H

#include "quickjs.h"

/* The allocator's functions for JS_NewRuntime2, or NULL where it cannot be
 * set up (the engine then uses malloc alone). */
const JSMallocFunctions *heap_allocator(void);

#endif
