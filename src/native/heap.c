/*
 * The daemon engine's allocator for small blocks (docs/performance.md, "The
 * daemon's heap"). QuickJS's heap is mostly small blocks: of the idle
 * daemon's live ones, nine in ten are 256 bytes or less (atoms, strings,
 * objects, shapes, closures' variable references). musl's malloc (mallocng)
 * gives each block a 4-byte header and rounds it up to 16 bytes, and keeps
 * whole groups of slots of the start-up's freed blocks: the daemon kept
 * 1.2 times what it had asked for.
 *
 * Here a block of 256 bytes or less comes from a slab: one page holding
 * blocks of one size, a multiple of 8, with the page's header at its start,
 * so a block's page (and size) is its address rounded down. The slabs lie
 * in one reserved range of address space (PROT_NONE until used, so that
 * nothing is committed before it is needed), which tells a slab's block
 * from malloc's; larger blocks, and every block once the range is full,
 * come from malloc. A slab whose last block is freed is kept for the next
 * one while there are few such, or its page is handed back to the kernel.
 *
 * One thread (the engine's); no protocol logic.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include "heap.h"

/* Blocks up to this size come from slabs, in steps of HEAP_GRAIN (which is
 * also their alignment: QuickJS's structures need 8 bytes at most, doubles
 * and 64-bit values on 32-bit MIPS too). */
#define HEAP_GRAIN 8
#define HEAP_SLAB_MAX 256
#define HEAP_CLASSES (HEAP_SLAB_MAX / HEAP_GRAIN)
/* Address space reserved for slabs: far more than an idle daemon's 0.5 MB
 * of small blocks, and nothing of it resident until used. */
#define HEAP_RESERVE ((size_t)64 << 20)
/* Committed (made writable) this much at a time. */
#define HEAP_COMMIT ((size_t)64 << 10)
/* Empty slabs kept as they are for reuse; beyond that, their pages go back
 * to the kernel. A few, so that a block allocated and freed again and again
 * (each advert makes some) does not cost a system call each time. */
#define HEAP_KEEP_EMPTY 4
/* The smallest page the range is cut into (the released bitmap's unit). */
#define HEAP_MIN_PAGE 4096

struct slab {
    struct slab *next, *prev; /* the class's slabs with a free block, or the kept empty ones */
    void *freed;              /* freed blocks, each holding the next one's address */
    char *fresh;              /* the first block never handed out */
    uint32_t size;            /* its blocks' size */
    uint32_t used;            /* blocks handed out and not freed */
};

#define HEAP_HEADER ((sizeof(struct slab) + HEAP_GRAIN - 1) & ~(size_t)(HEAP_GRAIN - 1))

static char *base, *committed, *top, *end;
static size_t page;
static struct slab *partial[HEAP_CLASSES];
static struct slab *kept;
static uint32_t nkept, nreleased;
/* One bit per page of the range: its slab was empty and its page handed
 * back; it is taken again before the range grows. */
static uint32_t released[HEAP_RESERVE / HEAP_MIN_PAGE / 32];

static int in_slabs(const void *ptr)
{
    return (const char *)ptr >= base && (const char *)ptr < top;
}

static struct slab *slab_of(const void *ptr)
{
    return (struct slab *)((uintptr_t)ptr & ~(uintptr_t)(page - 1));
}

static void unlink_partial(struct slab *s)
{
    if (s->prev)
        s->prev->next = s->next;
    else
        partial[s->size / HEAP_GRAIN - 1] = s->next;
    if (s->next)
        s->next->prev = s->prev;
}

static void push_partial(struct slab *s)
{
    struct slab **head = &partial[s->size / HEAP_GRAIN - 1];
    s->prev = NULL;
    s->next = *head;
    if (*head)
        (*head)->prev = s;
    *head = s;
}

/* A page for a new slab: a kept empty one, a released one, or the range's
 * next; NULL when the range is full. */
static char *slab_page(void)
{
    size_t i, bit;
    char *p;
    if (kept) {
        p = (char *)kept;
        kept = kept->next;
        nkept--;
        return p;
    }
    if (nreleased) {
        for (i = 0; !released[i]; i++)
            ;
        bit = (size_t)__builtin_ctz(released[i]);
        released[i] &= ~((uint32_t)1 << bit);
        nreleased--;
        return base + (i * 32 + bit) * page;
    }
    if (top + page > end)
        return NULL;
    if (top + page > committed) {
        size_t grow = (size_t)(end - committed) < HEAP_COMMIT ? (size_t)(end - committed) : HEAP_COMMIT;
        if (mprotect(committed, grow, PROT_READ | PROT_WRITE))
            return NULL;
        committed += grow;
    }
    p = top;
    top += page;
    return p;
}

static void *slab_alloc(size_t size)
{
    size_t cls = (size + HEAP_GRAIN - 1) / HEAP_GRAIN - 1;
    struct slab *s = partial[cls];
    void *block;
    if (!s) {
        char *p = slab_page();
        if (!p)
            return NULL;
        s = (struct slab *)p;
        s->freed = NULL;
        s->fresh = p + HEAP_HEADER;
        s->size = (uint32_t)((cls + 1) * HEAP_GRAIN);
        s->used = 0;
        push_partial(s);
    }
    if (s->freed) {
        block = s->freed;
        s->freed = *(void **)block;
    } else {
        block = s->fresh;
        s->fresh += s->size;
    }
    s->used++;
    if (!s->freed && s->fresh + s->size > (char *)s + page)
        unlink_partial(s);
    return block;
}

static void slab_free(void *block)
{
    struct slab *s = slab_of(block);
    int was_full = !s->freed && s->fresh + s->size > (char *)s + page;
    size_t index;
    *(void **)block = s->freed;
    s->freed = block;
    if (was_full)
        push_partial(s);
    if (--s->used)
        return;
    unlink_partial(s);
    if (nkept < HEAP_KEEP_EMPTY) {
        s->next = kept;
        kept = s;
        nkept++;
        return;
    }
    index = (size_t)((char *)s - base) / page;
    madvise(s, page, MADV_DONTNEED);
    released[index / 32] |= (uint32_t)1 << (index % 32);
    nreleased++;
}

static size_t heap_usable_size(const void *ptr)
{
    return in_slabs(ptr) ? slab_of(ptr)->size : malloc_usable_size((void *)ptr);
}

static void *heap_malloc(JSMallocState *st, size_t size)
{
    void *ptr = NULL;
    if (st->malloc_size + size > st->malloc_limit)
        return NULL;
    if (size && size <= HEAP_SLAB_MAX)
        ptr = slab_alloc(size);
    if (!ptr && !(ptr = malloc(size)))
        return NULL;
    st->malloc_count++;
    st->malloc_size += heap_usable_size(ptr);
    return ptr;
}

static void heap_free(JSMallocState *st, void *ptr)
{
    if (!ptr)
        return;
    st->malloc_count--;
    st->malloc_size -= heap_usable_size(ptr);
    if (in_slabs(ptr))
        slab_free(ptr);
    else
        free(ptr);
}

static void *heap_realloc(JSMallocState *st, void *ptr, size_t size)
{
    size_t old_size;
    void *moved;
    if (!ptr)
        return size ? heap_malloc(st, size) : NULL;
    if (size == 0) {
        heap_free(st, ptr);
        return NULL;
    }
    old_size = heap_usable_size(ptr);
    if (!in_slabs(ptr) && size > HEAP_SLAB_MAX) {
        if (st->malloc_size + size - old_size > st->malloc_limit || !(moved = realloc(ptr, size)))
            return NULL;
        st->malloc_size += malloc_usable_size(moved) - old_size;
        return moved;
    }
    /* A slab's block that still fits stays (a block never shrinks into a
     * smaller class: the saving is a few bytes, the copy is not). */
    if (in_slabs(ptr) && size <= old_size)
        return ptr;
    moved = heap_malloc(st, size);
    if (!moved)
        return NULL;
    memcpy(moved, ptr, old_size < size ? old_size : size);
    heap_free(st, ptr);
    return moved;
}

static const JSMallocFunctions heap_functions = {
    heap_malloc, heap_free, heap_realloc, heap_usable_size,
};

const JSMallocFunctions *heap_allocator(void)
{
    long pagesize;
    void *range;
    if (base)
        return &heap_functions;
    pagesize = sysconf(_SC_PAGESIZE);
    if (pagesize < HEAP_MIN_PAGE || (pagesize & (pagesize - 1)) || HEAP_HEADER + HEAP_SLAB_MAX > (size_t)pagesize)
        return NULL;
    range = mmap(NULL, HEAP_RESERVE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (range == MAP_FAILED)
        return NULL;
    page = (size_t)pagesize;
    base = committed = top = range;
    end = base + HEAP_RESERVE;
    return &heap_functions;
}
