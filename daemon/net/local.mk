# SPDX-License-Identifier: ISC
# daemon/net/: the network child (sources, client associations, NIC clocks) and its tests.
tsyncd_SOURCES += daemon/net/net.c daemon/net/net.h daemon/net/net_int.h \
	daemon/net/net_sources.c daemon/net/net_nts.c daemon/net/net_nts.h daemon/net/client.c \
	daemon/net/client.h daemon/net/hwclock.c \
	daemon/net/hwclock.h

check_PROGRAMS += tests/unit/test_client
TESTS += tests/unit/test_client
tests_unit_test_client_SOURCES = tests/unit/test_client.c daemon/net/client.c \
	daemon/net/hwclock.c
tests_unit_test_client_CFLAGS = $(TSYNC_UNIT_CFLAGS) $(NETTLE_CFLAGS)
tests_unit_test_client_LDADD = daemon/libcore.a daemon/libnts.a discipline/libdiscipline.a \
	$(HWTS_LIBS) $(NETTLE_LIBS) $(TSYNC_UNIT_LIBS)
