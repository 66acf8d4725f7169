# Builds build/$(TARGET)/floatgwd: the engine, the native module and the
# bytecode of build/floatgwd.js, linked statically against musl and stripped.
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
CFLAGS := -Os -ffunction-sections -fdata-sections $(TARGET_CFLAGS) $(ENGINE_DEFS) -I$(ENGINE)
OBJS := $(addprefix $(OUT)/obj/,$(addsuffix .o,$(ENGINE_SRCS) native main))
# The daemon never evaluates source at run time: without eval the parser and
# compiler fall away at link time (about 130 KB on MIPS).
QJSC_FLAGS := -e -m -M native,native -fno-eval -fno-string-normalize -fno-proxy

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
	$(CC) $(TARGET_LDFLAGS) -static -Wl,--gc-sections -o $@.debug $(OBJS) $(TARGET_LDLIBS) -lm -lpthread
	$(STRIP) -o $@ $@.debug
	@echo "built $@ ($$(stat -c %s $@) bytes stripped)"

$(OUT)/obj/%.o: $(ENGINE)/%.c build/toolchain/$(TARGET)/env.mk
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

$(OUT)/obj/native.o: src/native/native.c src/native/native.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Wall -Wextra -Wno-unused-parameter -Werror -isystem $(ENGINE) -Isrc/native -c $< -o $@

$(OUT)/qjsc: $(ENGINE_OBJS) $(OUT)/obj/qjsc.o
	$(CC) $(TARGET_LDFLAGS) -static -o $@ $^ $(TARGET_LDLIBS) -lm -lpthread

$(OUT)/main.c: build/floatgwd.js $(QJSC_BIN)
	@mkdir -p $(@D)
	$(QJSC) $(QJSC_FLAGS) -o $@ build/floatgwd.js

$(OUT)/obj/main.o: $(OUT)/main.c
	$(CC) $(CFLAGS) -c $< -o $@
