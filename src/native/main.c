/*
 * floatgwd's entry point, in place of the main() `qjsc -e` would write: the
 * engine with only the built-ins floatgw uses, its three modules (std, os and
 * native.c's), the bytecode of the binary's three programs (bytecode.c, from
 * `qjsc -c`), then the event loop. See docs/building.md.
 *
 * The control client runs in an engine of its own whose allocations are
 * cut from one block (see arena below); when it hands a command over, that
 * engine goes and the program of that command starts in a fresh one. The
 * daemon's command line is the exception (daemon_command_line): one malloc
 * engine for the client and the daemon, as its start should not pay for a
 * second.
 *
 * Left out on purpose: eval (without it the parser and the compiler fall
 * away at link time), Proxy, Promise and async functions (floatgw's event
 * loop is callbacks), String.prototype.normalize, the module loader (every
 * module is built in) and the os.Worker hook. tsconfig.json's lib says the
 * same to the type checker.
 */
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "heap.h"
#include "native.h"
#include "quickjs-libc.h"

/* bytecode.c, written by `qjsc -c` (mk/target.mk), one array per program:
 * the control client (src/cli.ts: it parses every command line, answers
 * help and the commands that only talk to the daemon's socket), the daemon
 * (src/main.ts) and the tools (src/tools.ts: check, import-keepalived,
 * selftest, decode), the last two each with all the code they run. The
 * daemon's engine reads none of the tools' code: read and then dropped, it
 * left some 250 KB of the daemon's heap resident (docs/performance.md). */
extern const uint8_t qjsc_floatgw_cli[];
extern const uint32_t qjsc_floatgw_cli_size;
extern const uint8_t qjsc_floatgwd[];
extern const uint32_t qjsc_floatgwd_size;
extern const uint8_t qjsc_floatgw_tools[];
extern const uint32_t qjsc_floatgw_tools_size;

/* The whole pages of [from, from + size): *start and the length, 0 if none. */
static size_t whole_pages(const void *from, size_t size, void **start)
{
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t first = ((uintptr_t)from + page - 1) & ~(page - 1);
    uintptr_t end = ((uintptr_t)from + size) & ~(page - 1);
    *start = (void *)first;
    return end > first ? end - first : 0;
}

/* Hands the whole pages of [from, from + size) back to the kernel: memory
 * of the block below that nothing uses any more. */
static void forget_pages(const void *from, size_t size)
{
    void *start;
    size_t len = whole_pages(from, size, &start);
    if (len)
        madvise(start, len, MADV_DONTNEED);
}

/* Unmaps the whole pages of a program's bytecode, never to be read again in
 * this process: once loaded (JS_ReadObject copied it into the engine's own
 * objects), or when it is the program this process does not run. Handing
 * its pages back alone was not enough: a fault on a page of the
 * executable's read-only data next to them maps the 64 KB around it that
 * the page cache holds (the kernel's fault-around), bytecode too, and the
 * idle daemon kept 84 KB of the tools' bytecode resident that way. An
 * unmapped range is out of the fault's reach. */
static void unmap_bytecode(const uint8_t *from, uint32_t size)
{
    void *start;
    size_t len = whole_pages(from, size, &start);
    if (len)
        munmap(start, len);
}

/* The control client's allocator. `floatgw switchover` or `floatgw status`
 * lives for a millisecond, in which the engine makes some 3000 allocations
 * (its built-ins, the client's bytecode): musl's malloc and
 * malloc_usable_size took a fifth of the client's time, and its mmap and
 * munmap of small groups some 60 system calls. Here every allocation is
 * cut in turn from one block and never reused: the process ends first,
 * or the client hands its command over, and the block goes whole with
 * the client's engine (docs/performance.md). Beyond the block, malloc. */
#define ARENA_BYTES (512 * 1024)
#define ARENA_ALIGN 16
/* On a page boundary, so that forget_pages can give every page back. */
#define ARENA_PAGE 4096
/* Each allocation's size sits in front of it, for realloc and usable_size. */
#define ARENA_HEADER ARENA_ALIGN
static _Alignas(ARENA_PAGE) unsigned char arena[ARENA_BYTES];
static unsigned char *arena_next = arena;

static int in_arena(const void *ptr)
{
    return (const unsigned char *)ptr >= arena && (const unsigned char *)ptr < arena + ARENA_BYTES;
}

static size_t arena_usable_size(const void *ptr)
{
    return in_arena(ptr) ? *(const size_t *)((const unsigned char *)ptr - ARENA_HEADER)
                         : malloc_usable_size((void *)ptr);
}

static void *arena_malloc(JSMallocState *s, size_t size)
{
    size_t need = (size + ARENA_HEADER + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    void *ptr;
    if (s->malloc_size + size > s->malloc_limit)
        return NULL;
    if (need >= size && need <= (size_t)(arena + ARENA_BYTES - arena_next)) {
        *(size_t *)arena_next = need - ARENA_HEADER;
        ptr = arena_next + ARENA_HEADER;
        arena_next += need;
    } else if (!(ptr = malloc(size))) {
        return NULL;
    }
    s->malloc_count++;
    s->malloc_size += arena_usable_size(ptr);
    return ptr;
}

static void arena_free(JSMallocState *s, void *ptr)
{
    if (!ptr)
        return;
    s->malloc_count--;
    s->malloc_size -= arena_usable_size(ptr);
    if (!in_arena(ptr))
        free(ptr);
}

static const JSMallocFunctions arena_allocator;

static void *arena_realloc(JSMallocState *s, void *ptr, size_t size)
{
    return realloc_moving(&arena_allocator, s, ptr, size, in_arena(ptr));
}

static const JSMallocFunctions arena_allocator = {
    arena_malloc, arena_free, arena_realloc, arena_usable_size,
};

/* QuickJS's first collection threshold, and the one while starting: above
 * what start-up allocates (about 1.5 MB on x86_64). */
#define ENGINE_GC_THRESHOLD (256 * 1024)
#define STARTUP_GC_THRESHOLD (8 * 1024 * 1024)

/* The global through which the control client hands a command over (a JSON
 * string; src/cli/handoff.ts says the same name). */
#define INVOCATION_GLOBAL "floatgwInvocation"

/* An engine with floatgw's built-ins and modules (allocator NULL: QuickJS's
 * own, malloc), or NULL. */
static JSContext *new_engine(const JSMallocFunctions *allocator, int argc, char **argv)
{
    JSRuntime *rt = allocator ? JS_NewRuntime2(allocator, NULL) : JS_NewRuntime();
    JSContext *ctx = rt ? JS_NewContextRaw(rt) : NULL;
    if (!ctx)
        return NULL;
    JS_AddIntrinsicBaseObjects(ctx);
    JS_AddIntrinsicDate(ctx);
    JS_AddIntrinsicRegExp(ctx);
    JS_AddIntrinsicJSON(ctx);
    JS_AddIntrinsicMapSet(ctx);
    JS_AddIntrinsicTypedArrays(ctx);
    js_std_init_handlers(rt);
    if (!js_init_module_std(ctx, "std") || !js_init_module_os(ctx, "os") ||
        !js_init_module_native(ctx, "native"))
        return NULL;
    js_std_add_helpers(ctx, argc, argv);
    /* Everything made while the bytecode loads and the modules run (and a
     * command runs, or the daemon starts) stays alive: a collection then
     * finds nothing to free and costs a tenth of the start-up. Collect
     * once, after it, where the engine would have the first time. */
    JS_SetGCThreshold(rt, STARTUP_GC_THRESHOLD);
    return ctx;
}

/* The command the control client handed over (malloc'd), or NULL. */
static char *handed_over(JSContext *ctx)
{
    JSValue global = JS_GetGlobalObject(ctx);
    JSValue value = JS_GetPropertyStr(ctx, global, INVOCATION_GLOBAL);
    const char *text = JS_IsString(value) ? JS_ToCString(ctx, value) : NULL;
    char *copy = text ? strdup(text) : NULL;
    JS_FreeCString(ctx, text);
    JS_FreeValue(ctx, value);
    JS_FreeValue(ctx, global);
    return copy;
}

static void free_engine(JSContext *ctx)
{
    JSRuntime *rt = JS_GetRuntime(ctx);
    JS_FreeContext(ctx);
    js_std_free_handlers(rt);
    JS_FreeRuntime(rt);
}

/* Whether the command line is the daemon's (`floatgwd`, `floatgwd run`,
 * `floatgwd --config ...`): of the command lines the client hands over,
 * exactly those src/cli/commands.ts's dispatch hands over as `run`. It
 * picks the program the client hands over to, the daemon or the tools
 * (each of which fails with an internal error on a command not its own),
 * and the control client's allocator: the daemon's client hands over at
 * once, and the engine it ran in goes on to the daemon, rather than
 * setting up a second engine (0.8 M instructions more at the start).
 * Another command line the client hands over (`check`, `decode`) gets the
 * fresh engine. */
static int daemon_command_line(int argc, char **argv)
{
    return argc < 2 || argv[1][0] == '-' || strcmp(argv[1], "run") == 0;
}

int main(int argc, char **argv)
{
    int daemon;
    JSContext *ctx;
    const uint8_t *program;
    uint32_t program_size;
    /* A helper child the daemon exec'd (floatgwd-watch, floatgwd-listen)
     * runs without the engine: it never returns. It reads none of the
     * programs either: their bytecode goes first, as the daemon's does once
     * loaded, or the fault-around of the child's first read of the data
     * next to it maps 20 KB of it (docs/performance.md). */
    if (argc == 1 && helper_child(argv[0])) {
        unmap_bytecode(qjsc_floatgw_cli, qjsc_floatgw_cli_size);
        unmap_bytecode(qjsc_floatgwd, qjsc_floatgwd_size);
        unmap_bytecode(qjsc_floatgw_tools, qjsc_floatgw_tools_size);
        run_child(argv[0]);
    }
    /* The control client ends the process itself when the command is one
     * of its own (`floatgw status` reads and runs its 17 KB of bytecode,
     * not the daemon's 214 KB); when it returns, the command is the
     * daemon's or the tools'. */
    daemon = daemon_command_line(argc, argv);
    program = daemon ? qjsc_floatgwd : qjsc_floatgw_tools;
    program_size = daemon ? qjsc_floatgwd_size : qjsc_floatgw_tools_size;
    /* The daemon's engine lives for as long as the router runs: its small
     * blocks come from heap.c's slabs (a fifth less resident memory than
     * malloc's). The client's is the arena, the tools' (below) malloc. */
    ctx = new_engine(daemon ? heap_allocator() : &arena_allocator, argc, argv);
    if (!ctx)
        return EXIT_FAILURE;
    js_std_eval_binary(ctx, qjsc_floatgw_cli, qjsc_floatgw_cli_size, 0);
    unmap_bytecode(qjsc_floatgw_cli, qjsc_floatgw_cli_size);
    if (!daemon) {
        char *invocation = handed_over(ctx);
        free_engine(ctx);
        /* Nothing lives in the block any more. */
        forget_pages(arena, ARENA_BYTES);
        ctx = new_engine(NULL, argc, argv);
        if (!ctx)
            return EXIT_FAILURE;
        if (invocation) {
            JSValue global = JS_GetGlobalObject(ctx);
            JS_SetPropertyStr(ctx, global, INVOCATION_GLOBAL, JS_NewString(ctx, invocation));
            JS_FreeValue(ctx, global);
            free(invocation);
        }
    }
    js_std_eval_binary(ctx, program, program_size, 0);
    JS_SetGCThreshold(JS_GetRuntime(ctx), ENGINE_GC_THRESHOLD);
    unmap_bytecode(qjsc_floatgwd, qjsc_floatgwd_size);
    unmap_bytecode(qjsc_floatgw_tools, qjsc_floatgw_tools_size);
    js_std_loop(ctx);
    free_engine(ctx);
    return EXIT_SUCCESS;
}
