# See rules.mk. `host-compile` runs HostBuild's recipes (Host/Prepare,
# Host/Compile, Host/Install) with the host toolchain and the SDK's
# directories given on the command line (HOSTCC_NOCACHE, HOST_CFLAGS,
# HOST_LDFLAGS, DL_DIR, BUILD_DIR_HOST, STAGING_DIR_HOSTPKG), as
# test/openwrt/sdk.test.ts does; `make package` never calls it. As in the
# SDK, the recipes are expanded twice: once by the $(eval) of HostBuild,
# once when they run.
define HostBuild
host-compile:
	$(Host/Prepare)
	$(Host/Compile)
	$(Host/Install)
.PHONY: host-compile
endef
