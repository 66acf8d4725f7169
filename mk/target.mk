# Builds build/$(TARGET)/floatgwd: the engine, the native module, main.c and
# the bytecode of the binary's three programs (build/floatgw-cli.js, the
# control client, build/floatgwd.js, the daemon, and build/floatgw-tools.js,
# the other commands), linked statically against musl and stripped.
# Called by the top-level Makefile; the toolchain's env.mk gives CC, STRIP,
# TARGET_CFLAGS, TARGET_LDFLAGS, TARGET_LDLIBS, BIG_ENDIAN and QEMU.
ifndef TARGET
$(error TARGET is not set; run make from the top level)
endif
.DELETE_ON_ERROR:
ENGINE := build/engine/quickjs
HOST_QJSC := build/engine/host/qjsc
include mk/engine.mk
include build/toolchain/$(TARGET)/env.mk

OUT := build/$(TARGET)
# After TARGET_CFLAGS and TARGET_LDFLAGS, so that they hold in the OpenWrt
# SDK too (docs/building.md). A static executable gains nothing from
# position-independent code, which costs 62 KB on MIPS (GOT loads), nor from
# unwind tables (66 KB on x86_64: C without exceptions; a debugger reads the
# .debug twin's DWARF).
SIZE_CFLAGS := -fno-pic -fno-pie -fno-asynchronous-unwind-tables -fno-unwind-tables
# aarch64's linker aligns the end of RELRO to 64 KB pages, which pads the
# file by 57 KB; OpenWrt's kernels all use 4 KB pages.
SIZE_LDFLAGS := -Wl,-z,max-page-size=4096
CFLAGS := -Os -ffunction-sections -fdata-sections $(TARGET_CFLAGS) $(SIZE_CFLAGS) $(ENGINE_DEFS) -I$(ENGINE)
OBJS := $(addprefix $(OUT)/obj/,$(addsuffix .o,$(ENGINE_SRCS) native heap main bytecode))
# Only the bytecode: src/native/main.c is the main() and picks the built-ins.
# One array per program, named after its file: floatgw_cli, floatgwd and
# floatgw_tools.
QJSC_FLAGS := -c -m -M native,native
BUNDLES := build/floatgw-cli.js build/floatgwd.js build/floatgw-tools.js

ifeq ($(BIG_ENDIAN),1)
# QuickJS compiles regular expression literals into the bytecode in the
# compiling host's byte order, and `qjsc -x` swaps only the JS bytecode
# around them: a big-endian engine then crashes on its first regexp. So a
# big-endian target's bytecode comes from its own qjsc, run under qemu-user.
QJSC := $(QEMU) $(OUT)/qjsc
QJSC_BIN := $(OUT)/qjsc
else
QJSC := $(HOST_QJSC)
QJSC_BIN := $(HOST_QJSC)
endif
ENGINE_OBJS := $(addprefix $(OUT)/obj/,$(addsuffix .o,$(ENGINE_SRCS)))

$(OUT)/floatgwd: $(OBJS)
	$(CC) $(TARGET_LDFLAGS) $(SIZE_LDFLAGS) -static -Wl,--gc-sections -o $@.debug $(OBJS) $(TARGET_LDLIBS) -lm -lpthread
	$(STRIP) -o $@ $@.debug
	@echo "built $@ ($$(stat -c %s $@) bytes stripped)"

# Objects follow the flags: this file, the engine's defines and the toolchain's.
FLAGS_DEPS := mk/target.mk mk/engine.mk build/toolchain/$(TARGET)/env.mk
$(OUT)/obj/%.o: $(ENGINE)/%.c $(FLAGS_DEPS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

$(OUT)/obj/native.o $(OUT)/obj/heap.o $(OUT)/obj/main.o: $(OUT)/obj/%.o: src/native/%.c src/native/native.h src/native/heap.h $(FLAGS_DEPS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Wall -Wextra -Wno-unused-parameter -Werror -isystem $(ENGINE) -Isrc/native -c $< -o $@

$(OUT)/qjsc: $(ENGINE_OBJS) $(OUT)/obj/qjsc.o
	$(CC) $(TARGET_LDFLAGS) -static -o $@ $^ $(TARGET_LDLIBS) -lm -lpthread

$(OUT)/bytecode.c: $(BUNDLES) $(QJSC_BIN) mk/target.mk
	@mkdir -p $(@D)
	$(QJSC) $(QJSC_FLAGS) -o $@ $(BUNDLES)

$(OUT)/obj/bytecode.o: $(OUT)/bytecode.c $(FLAGS_DEPS)
	$(CC) $(CFLAGS) -c $< -o $@
