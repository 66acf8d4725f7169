# See rules.mk. OpenWrt's defaults that shape a package's fields: every
# package but a kernel module depends on libc; PKGARCH is the target's
# unless the package says `all`; the version is apk's <version>-r<release>,
# which opkg accepts too.
empty :=
space := $(empty) $(empty)
comma := ,

define Download
endef

define Package/Default
  SECTION:=opt
  CATEGORY:=Extra packages
  TITLE:=
  URL:=
  DEPENDS:=
  PKGARCH:=$(ARCH_PACKAGES)
endef

# "+libc +luci-base" -> "libc, luci-base"; "@SYMBOL" items are build-time
# conditions, not package dependencies.
package_depends = $(subst $(space),$(comma)$(space),$(strip \
  $(filter-out @%,$(patsubst +%,%,libc $(filter-out +libc,$(1))))))

write_field = $(file >$(INFO_DIR)/$(1)/$(2),$(3))

define BuildPackage
$(eval $(Package/Default))
$(eval $(Package/$(1)))
$(if $(INFO_DIR),$(shell mkdir -p $(INFO_DIR)/$(1))
  $(call write_field,$(1),pkg_name,$(PKG_NAME))
  $(call write_field,$(1),version,$(PKG_VERSION)-r$(PKG_RELEASE))
  $(call write_field,$(1),pkg_version,$(PKG_VERSION))
  $(call write_field,$(1),release,$(PKG_RELEASE))
  $(call write_field,$(1),title,$(TITLE))
  $(call write_field,$(1),section,$(SECTION))
  $(call write_field,$(1),url,$(URL))
  $(call write_field,$(1),license,$(PKG_LICENSE))
  $(call write_field,$(1),license_files,$(PKG_LICENSE_FILES))
  $(call write_field,$(1),maintainer,$(PKG_MAINTAINER))
  $(call write_field,$(1),pkgarch,$(PKGARCH))
  $(call write_field,$(1),depends,$(call package_depends,$(DEPENDS)))
  $(call write_field,$(1),description,$(Package/$(1)/description))
  $(foreach script,conffiles preinst postinst prerm postrm,
    $(if $(Package/$(1)/$(script)),$(call write_field,$(1),$(script),$(Package/$(1)/$(script))))))
install: install-$(1)
install-$(1):
	rm -rf $(STAGE_DIR)/$(1)
	mkdir -p $(STAGE_DIR)/$(1)
	$$(call Package/$(1)/install,$(STAGE_DIR)/$(1))
# Expanded twice, by this $(eval) and when they run, as the SDK's
# Build/DefaultTargets does.
prepare:
	$(Build/Prepare)
compile:
	$(Build/Compile)
endef

# The SDK's Build/Prepare/Default unpacks the release tarball into
# $(PKG_BUILD_DIR); whoever calls `prepare` here has done that.
define Build/Prepare/Default
endef

info:
.PHONY: info install prepare compile
