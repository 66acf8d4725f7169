/*
 * The daemon engine's allocator for small blocks (docs/performance.md, "The
 * daemon's heap"). QuickJS's heap is mostly small blocks: of the idle
 * daemon's live bytes, two thirds are in blocks of 256 bytes or less (atoms,
 * strings, objects, shapes, closures' variable references), 9,700 of them.
 * musl's malloc (mallocng) gives each block a 4-byte header and rounds it up
 * to 16 bytes (an 8-byte block takes 16, a 16-byte one 32, a 72-byte object
 * 80), and gives each size a group of slots of its own: the idle daemon's
 * heap took 1.2 times what it had asked for.
 *
 * Here a block of 256 bytes or less comes from a slab: 1 KB holding blocks
 * of one size, a multiple of 8, with the slab's header at its start, so a
 * block's slab (and size) is its address rounded down. 1 KB, not a page:
 * each of the 32 sizes has a slab partly free, and at 4 KB those held 80 KB
 * of free blocks, at 1 KB 40. The slabs lie in one reserved range of
 * address space (PROT_NONE until used, so that nothing is committed before
 * it is needed), which tells a slab's block from malloc's; larger blocks,
 * and every block once the range is full, come from malloc. A slab whose
 * last block is freed is kept for any size; a page whose slabs are all
 * empty is handed back to the kernel once a few empty slabs are kept.
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
#define HEAP_SLAB 1024
/* Address space reserved for slabs: far more than an idle daemon's 0.6 MB
 * of small blocks, and nothing of it resident until used. */
#define HEAP_RESERVE ((size_t)64 << 20)
/* Committed (made writable) this much at a time, and made resident at
 * once (MAP_POPULATE): one system call for four pages costs less than
 * their four page faults, and the daemon's start touches 0.6 MB of slabs
 * (138 faults fewer, 1 ms less CPU of a 6.2 ms start, docs/performance.md).
 * Small, so that little of it lies resident unused: 8 KB at idle. */
#define HEAP_COMMIT ((size_t)16 << 10)
/* Empty slabs kept before a page of them goes back to the kernel: a few,
 * so that blocks allocated and freed again and again (each advert makes
 * some) do not cost a system call each time. */
#define HEAP_KEEP_EMPTY 16
/* The smallest page the range is cut into (the released bitmap's unit). */
#define HEAP_MIN_PAGE 4096
#define HEAP_NONE 0xffffffffu

/* At the start of each slab. Slabs name each other by their index in the
 * range, and blocks by their offset in the slab: 16 bytes on every CPU. */
struct slab {
    uint32_t next, prev; /* the size's slabs with a free block, or the empty ones */
    uint16_t freed;      /* the first freed block (0: none), holding the next one's offset */
    uint16_t fresh;      /* the first block never handed out */
    uint16_t size;       /* its blocks' size; 0 while empty */
    uint16_t used;       /* blocks handed out and not freed */
};

#define HEAP_HEADER ((sizeof(struct slab) + HEAP_GRAIN - 1) & ~(size_t)(HEAP_GRAIN - 1))

static char *base, *committed, *top, *end;
static size_t page, slabs_per_page;
/* For each size, the slabs with a free block; then the empty slabs. */
static uint32_t lists[HEAP_CLASSES + 1];
#define EMPTY HEAP_CLASSES
static uint32_t nempty, nreleased;
/* One bit per page of the range: its slabs were empty and it was handed
 * back; it is taken again before the range grows. */
static uint32_t released[HEAP_RESERVE / HEAP_MIN_PAGE / 32];

static int in_slabs(const void *ptr)
{
    return (const char *)ptr >= base && (const char *)ptr < top;
}

static struct slab *slab_at(uint32_t index)
{
    return (struct slab *)(void *)(base + (size_t)index * HEAP_SLAB);
}

static uint32_t index_of(const struct slab *s)
{
    return (uint32_t)(((const char *)s - base) / HEAP_SLAB);
}

static struct slab *slab_of(const void *ptr)
{
    return slab_at((uint32_t)(((const char *)ptr - base) / HEAP_SLAB));
}

static void unlink_slab(struct slab *s, uint32_t list)
{
    if (s->prev != HEAP_NONE)
        slab_at(s->prev)->next = s->next;
    else
        lists[list] = s->next;
    if (s->next != HEAP_NONE)
        slab_at(s->next)->prev = s->prev;
}

static void push_slab(struct slab *s, uint32_t list)
{
    uint32_t index = index_of(s);
    s->prev = HEAP_NONE;
    s->next = lists[list];
    if (lists[list] != HEAP_NONE)
        slab_at(lists[list])->prev = index;
    lists[list] = index;
}

static void push_empty(struct slab *s)
{
    s->size = 0;
    push_slab(s, EMPTY);
    nempty++;
}

/* Cuts a page into empty slabs: a released one, or the range's next.
 * Returns 0 when the range is full. */
static int add_page(void)
{
    size_t i, bit;
    char *p;
    if (nreleased) {
        for (i = 0; !released[i]; i++)
            ;
        bit = (size_t)__builtin_ctz(released[i]);
        released[i] &= ~((uint32_t)1 << bit);
        nreleased--;
        p = base + (i * 32 + bit) * page;
    } else {
        if (top + page > end)
            return 0;
        if (top + page > committed) {
            size_t grow = (size_t)(end - committed) < HEAP_COMMIT ? (size_t)(end - committed) : HEAP_COMMIT;
            if (mmap(committed, grow, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_POPULATE, -1, 0) == MAP_FAILED)
                return 0;
            committed += grow;
        }
        p = top;
        top += page;
    }
    for (i = 0; i < slabs_per_page; i++)
        push_empty((struct slab *)(void *)(p + i * HEAP_SLAB));
    return 1;
}

/* Hands the page of the empty slab s back to the kernel if all its slabs
 * are empty. */
static void release_page(struct slab *s)
{
    char *p = (char *)((uintptr_t)s & ~(uintptr_t)(page - 1));
    size_t i, index;
    for (i = 0; i < slabs_per_page; i++)
        if (((struct slab *)(void *)(p + i * HEAP_SLAB))->size)
            return;
    for (i = 0; i < slabs_per_page; i++)
        unlink_slab((struct slab *)(void *)(p + i * HEAP_SLAB), EMPTY);
    nempty -= (uint32_t)slabs_per_page;
    madvise(p, page, MADV_DONTNEED);
    index = (size_t)(p - base) / page;
    released[index / 32] |= (uint32_t)1 << (index % 32);
    nreleased++;
}

static int slab_full(const struct slab *s)
{
    return !s->freed && (size_t)s->fresh + s->size > HEAP_SLAB;
}

static void *slab_alloc(size_t size)
{
    uint32_t cls = (uint32_t)((size + HEAP_GRAIN - 1) / HEAP_GRAIN - 1);
    struct slab *s;
    void *block;
    if (lists[cls] == HEAP_NONE) {
        if (lists[EMPTY] == HEAP_NONE && !add_page())
            return NULL;
        s = slab_at(lists[EMPTY]);
        unlink_slab(s, EMPTY);
        nempty--;
        s->freed = 0;
        s->fresh = HEAP_HEADER;
        s->size = (uint16_t)((cls + 1) * HEAP_GRAIN);
        s->used = 0;
        push_slab(s, cls);
    }
    s = slab_at(lists[cls]);
    if (s->freed) {
        block = (char *)s + s->freed;
        memcpy(&s->freed, block, sizeof s->freed);
    } else {
        block = (char *)s + s->fresh;
        s->fresh = (uint16_t)(s->fresh + s->size);
    }
    s->used++;
    if (slab_full(s))
        unlink_slab(s, cls);
    return block;
}

static void slab_free(void *block)
{
    struct slab *s = slab_of(block);
    uint32_t cls = s->size / HEAP_GRAIN - 1;
    int was_full = slab_full(s);
    memcpy(block, &s->freed, sizeof s->freed);
    s->freed = (uint16_t)((char *)block - (char *)s);
    if (was_full)
        push_slab(s, cls);
    if (--s->used)
        return;
    unlink_slab(s, cls);
    push_empty(s);
    if (nempty > HEAP_KEEP_EMPTY)
        release_page(s);
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

void *realloc_moving(const JSMallocFunctions *f, JSMallocState *st, void *ptr, size_t size, int own)
{
    size_t old_size;
    void *moved;
    if (!ptr)
        return size ? f->js_malloc(st, size) : NULL;
    if (size == 0) {
        f->js_free(st, ptr);
        return NULL;
    }
    old_size = f->js_malloc_usable_size(ptr);
    if (own && size <= old_size)
        return ptr;
    moved = f->js_malloc(st, size);
    if (!moved)
        return NULL;
    memcpy(moved, ptr, old_size < size ? old_size : size);
    f->js_free(st, ptr);
    return moved;
}

static const JSMallocFunctions heap_functions;

static void *heap_realloc(JSMallocState *st, void *ptr, size_t size)
{
    size_t old_size;
    void *moved;
    /* A large block of malloc's that stays large grows or shrinks there. */
    if (ptr && !in_slabs(ptr) && size > HEAP_SLAB_MAX) {
        old_size = malloc_usable_size(ptr);
        if (st->malloc_size + size - old_size > st->malloc_limit || !(moved = realloc(ptr, size)))
            return NULL;
        st->malloc_size += malloc_usable_size(moved) - old_size;
        return moved;
    }
    /* A slab's block that still fits stays (a block never moves to a
     * smaller size: the saving is a few bytes, the copy is not). */
    return realloc_moving(&heap_functions, st, ptr, size, in_slabs(ptr));
}

static const JSMallocFunctions heap_functions = {
    heap_malloc, heap_free, heap_realloc, heap_usable_size,
};

const JSMallocFunctions *heap_allocator(void)
{
    long pagesize;
    void *range;
    size_t i;
    if (base)
        return &heap_functions;
    pagesize = sysconf(_SC_PAGESIZE);
    if (pagesize < HEAP_MIN_PAGE || (pagesize & (pagesize - 1)))
        return NULL;
    range = mmap(NULL, HEAP_RESERVE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (range == MAP_FAILED)
        return NULL;
    page = (size_t)pagesize;
    slabs_per_page = page / HEAP_SLAB;
    base = committed = top = range;
    end = base + HEAP_RESERVE;
    for (i = 0; i <= HEAP_CLASSES; i++)
        lists[i] = HEAP_NONE;
    return &heap_functions;
}
