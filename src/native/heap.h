/* The daemon engine's allocator for small blocks (heap.c). */
#ifndef FLOATGW_HEAP_H
#define FLOATGW_HEAP_H

#include "quickjs.h"

/* The allocator's functions for JS_NewRuntime2, or NULL where it cannot be
 * set up (the engine then uses malloc alone). */
const JSMallocFunctions *heap_allocator(void);

/* QuickJS's realloc for an allocator `f` whose blocks never grow in place:
 * the same block while it is one of the allocator's own (`own`) and the
 * new size fits, or else a new block with the old one's bytes. */
void *realloc_moving(const JSMallocFunctions *f, JSMallocState *st, void *ptr, size_t size, int own);

#endif
