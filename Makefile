# floatgw: the one entry point.
#   make            build/x86_64/floatgwd (static musl, stripped) and the
#                   generated part of the LuCI app (build/luci-app/)
#   make cross      the same for every router CPU in CROSS_TARGETS
#   make test       set up the machine (root), build everything, run all tests
#   make package    OpenWrt packages (.ipk and .apk) for every CPU in build/packages/
#   make dist       the release tarball the OpenWrt SDK builds from (build/dist/)
#   make demo       set up, build, run the live demo on two real OpenWrt routers
#   make bench      side-by-side measurements with keepalived (bench/REPORT.md)
#   make bench-smoke  one quick router death and one failing check script for
#                     both daemons, and one DHCP continuity run (part of make test)
#   make fuzz       10^6 hostile packets, 10^5 lease datagrams, 10^4 UCI files
#                   into the code and the running binary (docs/robustness.md)
#   make soak       an hour of four VRIDs at 10 ms adverts: spurious transitions, RSS
#   make clean      remove build outputs, keep the cached engine and toolchains
#   make distclean  remove build/ and node_modules/ entirely
SHELL := bash
.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
# Keep what pattern rules make (env.mk of each toolchain, the host qjsc's
# objects): make would otherwise delete them as intermediate files at exit,
# and the cross test reads env.mk.
.SECONDARY:

# OpenWrt ARCH_PACKAGES names.
CROSS_TARGETS := mips_24kc mipsel_24kc arm_cortex-a7 aarch64_generic
ENGINE := build/engine/quickjs
ENGINE_STAMP := $(ENGINE)/.floatgw-patched
HOST_QJSC := build/engine/host/qjsc
APK := build/apk-tools/apk
ECHO_PROBE := build/bench/echo-probe
include mk/engine.mk

TS_SOURCES := $(shell find src -name '*.ts')
NODE_STAMP := node_modules/.package-lock.json

.PHONY: all cross setup test demo bench bench-smoke fuzz soak package package-x86_64 dist clean distclean
LUCI_CONFIG := build/luci-app/htdocs/luci-static/resources/floatgw/config.js
all: build/x86_64/floatgwd $(LUCI_CONFIG)
cross: $(foreach t,$(CROSS_TARGETS),build/$(t)/floatgwd)

setup:
	@bash scripts/setup.sh

$(NODE_STAMP): package-lock.json
	@bash scripts/setup.sh

$(ENGINE_STAMP): scripts/engine.sh $(wildcard patches/quickjs-*.patch)
	@bash scripts/engine.sh

# The host qjsc only turns the bundle into C; it is built once and cached.
HOST_OBJS := $(addprefix build/engine/host/,$(addsuffix .o,$(ENGINE_SRCS) qjsc))
build/engine/host/%.o: $(ENGINE_STAMP) mk/engine.mk
	@mkdir -p $(@D)
	gcc -O2 $(ENGINE_DEFS) -c $(ENGINE)/$*.c -o $@
$(HOST_QJSC): $(HOST_OBJS)
	gcc -o $@ $^ -lm -ldl -lpthread

BUNDLES := build/floatgw-cli.js build/floatgwd.js build/floatgw-tools.js
$(BUNDLES) &: $(TS_SOURCES) scripts/bundle.mjs package.json $(NODE_STAMP)
	npx tsc -p tsconfig.json
	node scripts/bundle.mjs build

# The LuCI app's forms build themselves from the config schema and check
# with the daemon's own validation: both, bundled for the browser.
$(LUCI_CONFIG): $(TS_SOURCES) $(wildcard luci-app/src/*.ts) luci-app/tsconfig.json scripts/gen-luci-config.mjs $(NODE_STAMP)
	npx tsc -p luci-app/tsconfig.json
	node scripts/gen-luci-config.mjs $@

build/toolchain/%/env.mk: scripts/toolchain.sh
	@bash scripts/toolchain.sh $*

build/%/floatgwd: $(BUNDLES) $(HOST_QJSC) build/toolchain/%/env.mk $(wildcard src/native/*) mk/target.mk mk/engine.mk
	@$(MAKE) --no-print-directory -f mk/target.mk TARGET=$*

$(APK): scripts/apk-tools.sh
	@bash scripts/apk-tools.sh

package: setup all cross $(APK)
	@node scripts/package.mjs --apk $(APK) --out build/packages x86_64 $(CROSS_TARGETS)

# The x86_64 packages alone: what the OpenWrt lab installs (demo, bench).
package-x86_64: setup all $(APK)
	@node scripts/package.mjs --apk $(APK) --out build/packages x86_64

dist: setup all build/mips_24kc/floatgwd
	@bash scripts/dist.sh

test: setup all cross package $(ECHO_PROBE)
	@bash scripts/test.sh

demo: package-x86_64
	@bash scripts/demo.sh

bench: cross package-x86_64 $(ECHO_PROBE)
	@node bench/run.mjs

bench-smoke: package-x86_64 $(ECHO_PROBE)
	@node bench/run.mjs --smoke

# The bench client's prober of the VIP, a host tool like the host qjsc.
$(ECHO_PROBE): bench/echo-probe.c
	@mkdir -p $(@D)
	gcc -O2 -Wall -Wextra -o $@ $<

fuzz: setup all
	FLOATGW_FUZZ=full npx vitest run -c vitest.config.ts test/unit/fuzz.test.ts
	FLOATGW_FUZZ=full npx vitest run -c vitest.system.config.ts -t fuzz test/netns/fuzz.test.ts test/openwrt/check.test.ts
	@cat build/fuzz/node.json build/fuzz/netns.json build/fuzz/check.json

soak: setup all
	@node bench/soak.mjs

clean:
	rm -rf $(BUNDLES) build/luci-app build/x86_64 $(foreach t,$(CROSS_TARGETS),build/$(t)) build/packages build/test-results coverage

distclean:
	rm -rf build node_modules coverage
