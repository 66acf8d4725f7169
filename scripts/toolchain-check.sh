#!/usr/bin/env bash
# Proves a toolchain from scripts/toolchain.sh works for one target: builds a
# small static C program with env.mk's flags (netlink socket, CLOCK_MONOTONIC,
# float and double arithmetic), runs it under the target's qemu and compares
# its output with the same program built natively with gcc.
# On MIPS it also proves the binary is soft-float: readelf -A must say
# "Soft float", objdump must find no FPU instruction, and qemu runs with
# -cpu 24Kc, which has no FPU, so a stray FPU instruction would SIGILL.
#
#   scripts/toolchain-check.sh <target>
set -euo pipefail
cd "$(dirname "$0")/.."

target=${1:?usage: scripts/toolchain-check.sh <target>}
scripts/toolchain.sh "$target"
tdir=$PWD/build/toolchain/$target
env=$tdir/env.mk
dir=$tdir/check
rm -rf "$dir"
mkdir -p "$dir"

fail() { echo "toolchain-check[$target]: FAIL: $*" >&2; exit 1; }
# Reads a variable through make itself, which also proves env.mk parses.
var() { make -s --no-print-directory -f "$env" --eval "_print: ; @echo \$($1)" _print; }
CC=$(var CC) READELF=$(var READELF) OBJDUMP=$(var OBJDUMP) QEMU=$(var QEMU)
read -ra cflags <<<"$(var TARGET_CFLAGS)"
read -ra ldflags <<<"$(var TARGET_LDFLAGS)"
read -ra ldlibs <<<"$(var TARGET_LDLIBS)"
read -ra qemu <<<"$QEMU"

cat >"$dir/t.c" <<'EOF'
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

int main(int argc, char **argv)
{
	(void)argv;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_IPV4_IFADDR };
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		perror("netlink");
		return 1;
	}
	struct timespec a, b;
	if (clock_gettime(CLOCK_MONOTONIC, &a) || clock_gettime(CLOCK_MONOTONIC, &b) ||
	    b.tv_sec < a.tv_sec || (b.tv_sec == a.tv_sec && b.tv_nsec < a.tv_nsec)) {
		perror("clock_gettime");
		return 1;
	}
	/* argc keeps the compiler from folding the arithmetic away. */
	volatile double x = 0.1 * argc;
	double y = x * 3, big = (double)(INT64_C(1) << 53) * argc + 1;
	float f = (float)x * 3.0f;
	printf("netlink ok, monotonic ok, %.17g %.9g %.6f %d %lld %.17g %d %d %d\n",
	       y, f, y / 7, (int)(y * 1e4), (long long)(y * 1e15), big, y > 0.3, isnan(y / 0.0 * 0.0),
	       (unsigned)(f * 1e6f));
	close(fd);
	return 0;
}
EOF

start=$(date +%s%N)
"$CC" "${cflags[@]}" -c "$dir/t.c" -o "$dir/t.o" 2>"$dir/cc.log" || { cat "$dir/cc.log" >&2; fail "compile"; }
"$CC" "${ldflags[@]}" "$dir/t.o" "${ldlibs[@]}" -o "$dir/t" 2>"$dir/ld.log" || { cat "$dir/ld.log" >&2; fail "link"; }
"$READELF" -l "$dir/t" | grep -q INTERP && fail "binary is not static"
gcc -O2 "$dir/t.c" -o "$dir/t.native" -lm
want=$("$dir/t.native")
got=$("${qemu[@]}" "$dir/t") || fail "run under '${QEMU:-native}' exited $?"
[ "$got" = "$want" ] || fail "output differs from native gcc: '$got' != '$want'"

extra=''
if [ "$target" = mips_24kc ] || [ "$target" = mipsel_24kc ]; then
  fpabi=$("$READELF" -A "$dir/t" | sed -n 's/^ *FP ABI: *//p')
  [ "$fpabi" = "Soft float" ] || fail "readelf -A FP ABI is '$fpabi', not 'Soft float'"
  # The FPU-instruction grep (docs/building.md, "Soft float").
  fpu=$("$OBJDUMP" -d "$dir/t" |
    grep -cE '\s(add|sub|mul|div|mov|cvt|c\.[a-z]+)\.(d|s)\s|\s(lwc1|swc1|ldc1|sdc1|mtc1|mfc1|ctc1|cfc1)\s' || true)
  [ "$fpu" = 0 ] || fail "objdump found $fpu FPU instructions"
  extra=", FP ABI: $fpabi, FPU instructions: $fpu"
fi
ms=$((($(date +%s%N) - start) / 1000000))
echo "toolchain-check[$target]: ok in ${ms} ms (${QEMU:-native}): $got$extra"
