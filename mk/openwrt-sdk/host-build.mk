# See rules.mk: the host build (the SDK's host qjsc) is not needed here.
define HostBuild
endef
