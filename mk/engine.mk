# What every build of the QuickJS engine shares, host and target alike.
# Without CONFIG_BIGNUM (no BigInt, no libbf: 85 KB less on MIPS); it must
# be the same for the host qjsc and the target engine, as it changes the
# bytecode format. CONFIG_NO_ATOMICS and CONFIG_NO_WORKER come from
# patches/quickjs-size.patch: floatgw has one thread.
ENGINE_SRCS := quickjs libregexp libunicode cutils quickjs-libc
ENGINE_DEFS := -D_GNU_SOURCE -DCONFIG_VERSION='"2021-03-27"' -DCONFIG_NO_ATOMICS -DCONFIG_NO_WORKER
