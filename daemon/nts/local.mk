# SPDX-License-Identifier: ISC
# daemon/nts/: NTS (RFC 8915) without TLS: NTS-KE records, NTS extension fields, the AEAD
# (Nettle), cookies, the server's key ring and a client association's state (daemon/libnts.a,
# linked by tsyncd and tsyncd-ntske), with their tests.
noinst_LIBRARIES += daemon/libnts.a
daemon_libnts_a_SOURCES = daemon/nts/ntske_records.c daemon/nts/ntske_records.h \
	daemon/nts/nts_aead.c daemon/nts/nts_aead.h daemon/nts/nts_ef.c daemon/nts/nts_ef.h \
	daemon/nts/nts_cookie.c daemon/nts/nts_cookie.h daemon/nts/nts_keys.c \
	daemon/nts/nts_keys.h daemon/nts/nts_client.c daemon/nts/nts_client.h \
	daemon/nts/nts_server.c daemon/nts/nts_server.h

TSYNC_NTS_LIBS = daemon/libnts.a daemon/libcore.a
TSYNC_NTS_TESTS = tests/unit/test_ntske_records tests/unit/test_nts_ef tests/unit/test_nts_keys
check_PROGRAMS += $(TSYNC_NTS_TESTS)
TESTS += $(TSYNC_NTS_TESTS)
tests_unit_test_ntske_records_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_ntske_records_LDADD = $(TSYNC_NTS_LIBS) $(TSYNC_UNIT_LIBS)
tests_unit_test_nts_ef_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_nts_ef_LDADD = $(TSYNC_NTS_LIBS) $(TSYNC_UNIT_LIBS)
tests_unit_test_nts_keys_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_nts_keys_LDADD = $(TSYNC_NTS_LIBS) $(TSYNC_UNIT_LIBS)
