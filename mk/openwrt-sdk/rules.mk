# A stand-in for the OpenWrt SDK's include files, for `make package`
# (scripts/package.mjs): the SDK cannot run here (it is a download of its
# own, with its own toolchain), so openwrt/<package>/Makefile is read by make
# with these definitions instead. They give the parts of the SDK that decide
# what a package is and holds: its fields, description, conffiles and
# scripts are written to $(INFO_DIR)/<package>/, and Package/<package>/install
# runs into $(STAGE_DIR)/<package>/ with the SDK's install commands, taking
# files from $(PKG_BUILD_DIR) (the project's root, where the SDK has the
# unpacked release tarball) and the binary of $(ARCH_PACKAGES) from the
# project's own cross build. `prepare` and `compile` run Build/Prepare and
# Build/Compile, and `host-compile` HostBuild's recipes (host-build.mk), with
# the toolchain variables (TARGET_CC, TARGET_CFLAGS, ...) and directories
# given on the command line in place of the SDK's. Download and the rest do
# nothing.
INSTALL_DIR := install -d -m0755
INSTALL_BIN := install -m0755
INSTALL_DATA := install -m0644
INSTALL_CONF := install -m0600
CP := cp -fpR
LN := ln -sf
TAR := tar
