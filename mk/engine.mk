# What every build of the QuickJS engine shares, host and target alike.
# Without CONFIG_BIGNUM (no BigInt, no libbf: 85 KB less on MIPS); it must
# be the same for the host qjsc and the target engine, as it changes the
# bytecode format. The other CONFIG_NO_* and CONFIG_LIBC_SUBSET come from
# patches/quickjs-size.patch (docs/building.md): floatgw has one thread, calls
# no transcendental Math function, uses no \p{...} regexp or normalize, and
# only the std/os functions src/types/quickjs.d.ts declares. qjsc is built
# the same way, so a \p{...} in the bundle fails the build.
ENGINE_SRCS := quickjs libregexp libunicode cutils quickjs-libc
ENGINE_DEFS := -D_GNU_SOURCE -DCONFIG_VERSION='"2021-03-27"' -DCONFIG_NO_ATOMICS -DCONFIG_NO_WORKER -DCONFIG_NO_MATH_TRANSCENDENTAL -DCONFIG_NO_ALL_UNICODE -DCONFIG_LIBC_SUBSET
