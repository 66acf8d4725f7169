# What every build of the QuickJS engine shares, host and target alike.
# CONFIG_BIGNUM must match between the host qjsc and the target engine: it
# changes the bytecode format.
ENGINE_SRCS := quickjs libregexp libunicode cutils quickjs-libc libbf
ENGINE_DEFS := -D_GNU_SOURCE -DCONFIG_VERSION='"2021-03-27"' -DCONFIG_BIGNUM
