# SPDX-License-Identifier: ISC
# hwts/: kernel and NIC timestamping, hardware timestamping setup, PHC access, netlink discovery.
noinst_LIBRARIES += hwts/libhwts.a
hwts_libhwts_a_SOURCES = hwts/timestamping.c hwts/timestamping.h \
	hwts/tsinfo.c hwts/tsinfo.h \
	hwts/hwtstamp.c hwts/hwtstamp.h \
	hwts/phc.c hwts/phc_dev.c hwts/phc.h hwts/phc_internal.h \
	hwts/phc_regress.c hwts/phc_regress.h \
	hwts/netlink.c hwts/netlink.h \
	hwts/sock.c hwts/sock.h
hwts_libhwts_a_CFLAGS = $(AM_CFLAGS) $(LIBNL_CFLAGS) $(LIBNL_GENL_CFLAGS) $(LIBNL_ROUTE_CFLAGS)

# Link flags every user of libhwts.a needs.
HWTS_LIBS = hwts/libhwts.a $(LIBNL_ROUTE_LIBS) $(LIBNL_GENL_LIBS) $(LIBNL_LIBS)

check_PROGRAMS += tests/unit/test_hwts_timestamping
TESTS += tests/unit/test_hwts_timestamping
tests_unit_test_hwts_timestamping_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_hwts_timestamping_LDADD = $(HWTS_LIBS) $(TSYNC_UNIT_LIBS)

check_PROGRAMS += tests/unit/test_hwts_tsinfo
TESTS += tests/unit/test_hwts_tsinfo
tests_unit_test_hwts_tsinfo_CFLAGS = $(TSYNC_UNIT_CFLAGS) $(LIBNL_CFLAGS) $(LIBNL_GENL_CFLAGS)
tests_unit_test_hwts_tsinfo_LDADD = $(HWTS_LIBS) $(TSYNC_UNIT_LIBS)

check_PROGRAMS += tests/unit/test_hwts_hwtstamp
TESTS += tests/unit/test_hwts_hwtstamp
tests_unit_test_hwts_hwtstamp_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_hwts_hwtstamp_LDADD = $(HWTS_LIBS) $(TSYNC_UNIT_LIBS)

check_PROGRAMS += tests/unit/test_phc
TESTS += tests/unit/test_phc
tests_unit_test_phc_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_phc_LDADD = $(HWTS_LIBS) $(TSYNC_UNIT_LIBS)

check_PROGRAMS += tests/unit/test_phc_regress
TESTS += tests/unit/test_phc_regress
tests_unit_test_phc_regress_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_phc_regress_LDADD = $(HWTS_LIBS) $(TSYNC_UNIT_LIBS)

check_PROGRAMS += tests/unit/test_hwts_netlink
TESTS += tests/unit/test_hwts_netlink
tests_unit_test_hwts_netlink_CFLAGS = $(TSYNC_UNIT_CFLAGS) $(LIBNL_CFLAGS) $(LIBNL_ROUTE_CFLAGS)
tests_unit_test_hwts_netlink_LDADD = $(HWTS_LIBS) $(TSYNC_UNIT_LIBS)

# Diagnostic: capabilities, hardware stamping state and PHC offsets of an interface.
noinst_PROGRAMS += hwts/hwts-probe
hwts_hwts_probe_SOURCES = hwts/hwts_probe.c
hwts_hwts_probe_LDADD = $(HWTS_LIBS)
