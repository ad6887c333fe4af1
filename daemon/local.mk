# SPDX-License-Identifier: ISC
# daemon/: the programs, grouped by process role (docs/architecture.md has the map). Each
# subdirectory's local.mk adds its sources to libcore.a (code shared with tsyncctl and the tests)
# or to tsyncd, and its unit tests.
noinst_LIBRARIES += daemon/libcore.a
daemon_libcore_a_SOURCES =

sbin_PROGRAMS += tsyncd
tsyncd_SOURCES =
tsyncd_CFLAGS = $(AM_CFLAGS) $(LIBSECCOMP_CFLAGS) $(LIBCAPNG_CFLAGS)
tsyncd_LDADD = daemon/libnts.a daemon/libcore.a discipline/libdiscipline.a $(HWTS_LIBS) \
	$(TSYNC_SANDBOX_LIBS) -lm

include daemon/common/local.mk
include daemon/config/local.mk
include daemon/main/local.mk
include daemon/parent/local.mk
include daemon/net/local.mk
include daemon/resolver/local.mk
include daemon/server/local.mk
include daemon/control/local.mk
include daemon/nts/local.mk
include daemon/ntske/local.mk
