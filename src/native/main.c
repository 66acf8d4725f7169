/*
 * floatgwd's entry point, in place of the main() `qjsc -e` would write: the
 * engine with only the built-ins floatgw uses, its three modules (std, os and
 * native.c's), the bytecode of the binary's two programs (bytecode.c, from
 * `qjsc -c`), then the event loop. See docs/building.md.
 *
 * Left out on purpose: eval (without it the parser and the compiler fall
 * away at link time), Proxy, Promise and async functions (floatgw's event
 * loop is callbacks), String.prototype.normalize, the module loader (every
 * module is built in) and the os.Worker hook. tsconfig.json's lib says the
 * same to the type checker.
 */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "native.h"
#include "quickjs-libc.h"

/* bytecode.c, written by `qjsc -c` (mk/target.mk), one array per program:
 * the control client (src/cli.ts, 6 % of the bytecode: it parses every
 * command line, answers help and the commands that only talk to the
 * daemon's socket), and the whole program (src/main.ts: the daemon and
 * every other command, handed over parsed). */
extern const uint8_t qjsc_floatgw_cli[];
extern const uint32_t qjsc_floatgw_cli_size;
extern const uint8_t qjsc_floatgwd[];
extern const uint32_t qjsc_floatgwd_size;

/* Once loaded, bytecode is never read again: JS_ReadObject copied it into
 * the engine's own objects. Its pages of the executable stay resident
 * nonetheless (the whole program has 295 KB, the control client 17 KB);
 * hand the whole ones back to the kernel, which would read them from the
 * file again if they were ever touched. */
static void forget_bytecode(const uint8_t *bytecode, uint32_t size)
{
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t start = ((uintptr_t)bytecode + page - 1) & ~(page - 1);
    uintptr_t end = ((uintptr_t)bytecode + size) & ~(page - 1);
    if (end > start)
        madvise((void *)start, end - start, MADV_DONTNEED);
}

/* QuickJS's first collection threshold (JS_NewRuntime), and the one while
 * starting: above what start-up allocates (about 1.5 MB on x86_64). */
#define ENGINE_GC_THRESHOLD (256 * 1024)
#define STARTUP_GC_THRESHOLD (8 * 1024 * 1024)

int main(int argc, char **argv)
{
    JSRuntime *rt;
    JSContext *ctx;
    /* A helper child the daemon exec'd (floatgwd-watch, floatgwd-listen)
     * runs without the engine: it never returns. */
    if (argc == 1)
        run_child(argv[0]);
    rt = JS_NewRuntime();
    ctx = rt ? JS_NewContextRaw(rt) : NULL;
    if (!ctx)
        return EXIT_FAILURE;
    JS_AddIntrinsicBaseObjects(ctx);
    JS_AddIntrinsicDate(ctx);
    JS_AddIntrinsicRegExp(ctx);
    JS_AddIntrinsicJSON(ctx);
    JS_AddIntrinsicMapSet(ctx);
    JS_AddIntrinsicTypedArrays(ctx);
    js_std_init_handlers(rt);
    if (!js_init_module_std(ctx, "std") || !js_init_module_os(ctx, "os") ||
        !js_init_module_native(ctx, "native"))
        return EXIT_FAILURE;
    js_std_add_helpers(ctx, argc, argv);
    /* Everything made while the bytecode loads and the modules run (and a
     * command runs, or the daemon starts) stays alive: a collection then
     * finds nothing to free and costs a tenth of the start-up. Collect
     * once, after it, where the engine would have the first time. */
    JS_SetGCThreshold(rt, STARTUP_GC_THRESHOLD);
    /* The control client ends the process itself when the command is one
     * of its own (`floatgw status` reads and runs its 17 KB of bytecode,
     * not the 295 KB of the whole program); when it returns, the command
     * is the whole program's. */
    js_std_eval_binary(ctx, qjsc_floatgw_cli, qjsc_floatgw_cli_size, 0);
    js_std_eval_binary(ctx, qjsc_floatgwd, qjsc_floatgwd_size, 0);
    JS_SetGCThreshold(rt, ENGINE_GC_THRESHOLD);
    forget_bytecode(qjsc_floatgw_cli, qjsc_floatgw_cli_size);
    forget_bytecode(qjsc_floatgwd, qjsc_floatgwd_size);
    js_std_loop(ctx);
    JS_FreeContext(ctx);
    JS_FreeRuntime(rt);
    return EXIT_SUCCESS;
}
