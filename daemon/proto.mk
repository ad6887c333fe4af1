# SPDX-License-Identifier: ISC
# NTP codec and logging (daemon/libcore.a) with their tests.
daemon_libcore_a_SOURCES += daemon/ntp_packet.c daemon/ntp_packet.h daemon/log.c daemon/log.h

check_PROGRAMS += tests/unit/test_ntp_packet tests/unit/test_log
TESTS += tests/unit/test_ntp_packet tests/unit/test_log
tests_unit_test_ntp_packet_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_ntp_packet_LDADD = daemon/libcore.a $(TSYNC_UNIT_LIBS)
tests_unit_test_log_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_log_LDADD = daemon/libcore.a $(TSYNC_UNIT_LIBS)
