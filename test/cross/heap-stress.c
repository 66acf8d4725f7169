/*
 * Drives the daemon engine's allocator (src/native/heap.c) through a long
 * run of random allocations, reallocations and frees, as QuickJS calls it,
 * and checks every block: aligned to 8 bytes, at least as large as asked,
 * its bytes intact until it is freed (two blocks sharing a byte would
 * overwrite each other's pattern), the engine's count and size back to 0
 * once all are freed, and the range reused rather than grown after that.
 * Built and run by test/cross/heap.test.ts for each CPU (under qemu-user
 * for the router CPUs): prints "ok ..." and exits 0, or says what broke
 * and exits 1.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heap.h"

#define SLOTS 6000
#define ROUNDS 3
#define OPS 400000

struct slot {
    unsigned char *ptr;
    size_t size;
    unsigned char seed;
};

static struct slot slots[SLOTS];
static uint32_t rng = 2463534242u;

static uint32_t next_random(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

/* Sizes as the engine asks for them: mostly small (atoms, objects,
 * shapes), now and then up to a few KB (bytecode, arrays). */
static size_t random_size(void)
{
    uint32_t r = next_random();
    if (r % 16 == 0)
        return 257 + next_random() % 4000;
    if (r % 16 == 1)
        return next_random() % 8 + 1;
    return next_random() % 256 + 1;
}

static void fail(const char *what, size_t i)
{
    printf("FAIL %s (slot %zu)\n", what, i);
    exit(1);
}

static void fill(struct slot *s)
{
    size_t i;
    for (i = 0; i < s->size; i++)
        s->ptr[i] = (unsigned char)(s->seed + i * 31);
}

static int intact(const struct slot *s, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (s->ptr[i] != (unsigned char)(s->seed + i * 31))
            return 0;
    return 1;
}

static void check_new(const JSMallocFunctions *heap, struct slot *s, size_t i)
{
    if (!s->ptr)
        fail("no block", i);
    if ((uintptr_t)s->ptr % 8)
        fail("block not aligned to 8 bytes", i);
    if (heap->js_malloc_usable_size(s->ptr) < s->size)
        fail("usable size below the size asked for", i);
    s->seed = (unsigned char)next_random();
    fill(s);
}

int main(void)
{
    const JSMallocFunctions *heap = heap_allocator();
    JSMallocState st;
    size_t i, op, live = 0, most = 0, round;
    uintptr_t highest = 0;
    if (!heap || heap_allocator() != heap)
        fail("no allocator, or a second one", 0);
    memset(&st, 0, sizeof st);
    st.malloc_limit = (size_t)-1;
    for (round = 0; round < ROUNDS; round++) {
        for (op = 0; op < OPS; op++) {
            struct slot *s = &slots[i = next_random() % SLOTS];
            if (!s->ptr) {
                s->size = random_size();
                s->ptr = heap->js_malloc(&st, s->size);
                check_new(heap, s, i);
                live++;
            } else if (!intact(s, s->size)) {
                fail("a block's bytes changed", i);
            } else if (next_random() % 4 == 0) {
                size_t size = random_size(), kept = size < s->size ? size : s->size;
                unsigned char *moved = heap->js_realloc(&st, s->ptr, size);
                if (!moved)
                    fail("no block from realloc", i);
                s->ptr = moved;
                if (!intact(s, kept))
                    fail("realloc lost the block's bytes", i);
                s->size = size;
                check_new(heap, s, i);
            } else {
                heap->js_free(&st, s->ptr);
                s->ptr = NULL;
                live--;
            }
            if (live > most)
                most = live;
            /* The small blocks' highest address: they all come from the slabs. */
            if (s->ptr && s->size <= 256 && (uintptr_t)s->ptr > highest)
                highest = (uintptr_t)s->ptr;
        }
        for (i = 0; i < SLOTS; i++)
            if (slots[i].ptr) {
                if (!intact(&slots[i], slots[i].size))
                    fail("a block's bytes changed", i);
                heap->js_free(&st, slots[i].ptr);
                slots[i].ptr = NULL;
            }
        live = 0;
        if (st.malloc_count != 0 || st.malloc_size != 0)
            fail("count or size not back to 0 with every block freed", 0);
    }
    /* With every block freed, the slabs' pages were handed back or kept:
     * new small blocks come from them, not from beyond. */
    for (i = 0; i < SLOTS / 4; i++) {
        slots[i].size = 1 + i % 256;
        slots[i].ptr = heap->js_malloc(&st, slots[i].size);
        check_new(heap, &slots[i], i);
        if ((uintptr_t)slots[i].ptr > highest)
            fail("a small block beyond the pages freed before", i);
    }
    for (i = 0; i < SLOTS / 4; i++)
        heap->js_free(&st, slots[i].ptr);
    heap->js_free(&st, NULL);
    if (heap->js_realloc(&st, NULL, 0) != NULL)
        fail("realloc of nothing to nothing gave a block", 0);
    if (st.malloc_count != 0 || st.malloc_size != 0)
        fail("count or size not back to 0 at the end", 0);
    printf("ok %d rounds of %d operations, up to %zu blocks live\n", ROUNDS, OPS, most);
    return 0;
}
