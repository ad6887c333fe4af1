# SPDX-License-Identifier: ISC
# daemon/common/: what every role shares: the message schema, the NTP codec, MD5, symmetric-key
# authentication, logging (libcore.a) and the event loop, with their tests.
daemon_libcore_a_SOURCES += daemon/common/msg.c daemon/common/msg.h daemon/common/msg_int.h \
	daemon/common/msg_nts.c daemon/common/chan.c \
	daemon/common/chan.h daemon/common/md5.c \
	daemon/common/md5.h daemon/common/ntp_packet.c daemon/common/ntp_packet.h \
	daemon/common/log.c daemon/common/log.h daemon/common/auth.c daemon/common/auth.h \
	daemon/common/ntpd_status.c daemon/common/ntpd_status.h daemon/common/sha1.c \
	daemon/common/sha1.h daemon/common/leapfile.c daemon/common/leapfile.h \
	daemon/common/dirfile.c daemon/common/dirfile.h \
	daemon/common/log_limit.c daemon/common/log_limit.h
tsyncd_SOURCES += daemon/common/loop.c daemon/common/loop.h

check_PROGRAMS += tests/unit/test_ntp_packet tests/unit/test_log tests/unit/test_msg \
	tests/unit/test_md5 tests/unit/test_chan tests/unit/test_auth tests/unit/test_ntpd_status \
	tests/unit/test_leapfile
TESTS += tests/unit/test_ntp_packet tests/unit/test_log tests/unit/test_msg tests/unit/test_md5 \
	tests/unit/test_chan tests/unit/test_auth tests/unit/test_ntpd_status tests/unit/test_leapfile
tests_unit_test_ntp_packet_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_ntp_packet_LDADD = daemon/libcore.a $(TSYNC_UNIT_LIBS)
tests_unit_test_log_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_log_LDADD = daemon/libcore.a $(TSYNC_UNIT_LIBS)
tests_unit_test_msg_SOURCES = tests/unit/test_msg.c tests/unit/test_msg_nts.c tests/unit/msg_frame.h
tests_unit_test_msg_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_msg_LDADD = daemon/libcore.a discipline/libdiscipline.a $(TSYNC_UNIT_LIBS)
tests_unit_test_md5_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_md5_LDADD = daemon/libcore.a $(TSYNC_UNIT_LIBS)
tests_unit_test_chan_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_chan_LDADD = daemon/libcore.a discipline/libdiscipline.a $(TSYNC_UNIT_LIBS)
tests_unit_test_auth_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_auth_LDADD = daemon/libcore.a $(TSYNC_UNIT_LIBS)
tests_unit_test_ntpd_status_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_ntpd_status_LDADD = daemon/libcore.a $(TSYNC_UNIT_LIBS)
tests_unit_test_leapfile_CPPFLAGS = $(AM_CPPFLAGS) \
	-DTSYNC_TEST_DATADIR='"$(abs_top_srcdir)/tests/data"'
tests_unit_test_leapfile_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_leapfile_LDADD = daemon/libcore.a $(TSYNC_UNIT_LIBS)
EXTRA_DIST += tests/data/leap-seconds.list
