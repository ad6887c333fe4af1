# SPDX-License-Identifier: ISC
# daemon/net/: the network child (sources, client associations, NIC clocks) and its tests.
TSYNC_CLIENT_SOURCES = daemon/net/client.c daemon/net/client_reply.c daemon/net/client_auth.c \
	daemon/net/client.h daemon/net/hwclock.c daemon/net/hwclock.h
tsyncd_SOURCES += daemon/net/net.c daemon/net/net.h daemon/net/net_int.h \
	daemon/net/net_sources.c daemon/net/net_hooks.c daemon/net/net_nts.c daemon/net/net_nts.h \
	$(TSYNC_CLIENT_SOURCES)

check_PROGRAMS += tests/unit/test_client tests/unit/test_client_auth
TESTS += tests/unit/test_client tests/unit/test_client_auth
tests_unit_test_client_SOURCES = tests/unit/test_client.c $(TSYNC_CLIENT_SOURCES)
tests_unit_test_client_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_client_LDADD = daemon/libnts.a daemon/libcore.a discipline/libdiscipline.a \
	$(HWTS_LIBS) $(TSYNC_UNIT_LIBS)
tests_unit_test_client_auth_SOURCES = tests/unit/test_client_auth.c $(TSYNC_CLIENT_SOURCES)
tests_unit_test_client_auth_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_client_auth_LDADD = daemon/libnts.a daemon/libcore.a discipline/libdiscipline.a \
	$(HWTS_LIBS) $(TSYNC_UNIT_LIBS)
