# SPDX-License-Identifier: ISC
# daemon/: libcore.a (codec, logging, configuration, command line, messages) and the programs.
noinst_LIBRARIES += daemon/libcore.a
daemon_libcore_a_SOURCES = daemon/msg.c daemon/msg.h daemon/md5.c daemon/md5.h

include daemon/proto.mk
include daemon/config.mk
include daemon/ctl.mk

sbin_PROGRAMS += tsyncd
tsyncd_SOURCES = daemon/main.c \
	daemon/daemon.c daemon/daemon.h daemon/daemon_int.h daemon/daemon_setup.c \
	daemon/daemon_children.c daemon/daemon_single.c \
	daemon/parent.c daemon/parent.h daemon/parent_int.h daemon/parent_state.c \
	daemon/parent_snapshot.c daemon/parent_refclock.c \
	daemon/net.c daemon/net.h daemon/net_int.h daemon/net_sources.c \
	daemon/client.c daemon/client.h \
	daemon/loop.c daemon/loop.h daemon/notify.c daemon/notify.h \
	daemon/hwclock.c daemon/hwclock.h
tsyncd_CFLAGS = $(AM_CFLAGS) $(LIBSECCOMP_CFLAGS) $(LIBCAPNG_CFLAGS)
tsyncd_LDADD = daemon/libcore.a discipline/libdiscipline.a $(HWTS_LIBS) $(TSYNC_SANDBOX_LIBS) -lm
include daemon/server.mk

check_PROGRAMS += tests/unit/test_msg
TESTS += tests/unit/test_msg
tests_unit_test_msg_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_msg_LDADD = daemon/libcore.a discipline/libdiscipline.a $(TSYNC_UNIT_LIBS)

check_PROGRAMS += tests/unit/test_parent
TESTS += tests/unit/test_parent
tests_unit_test_parent_SOURCES = tests/unit/test_parent.c daemon/parent.c daemon/parent_state.c \
	daemon/parent_snapshot.c daemon/parent_refclock.c daemon/notify.c
tests_unit_test_parent_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_parent_LDADD = daemon/libcore.a discipline/libdiscipline.a $(HWTS_LIBS) \
	$(TSYNC_UNIT_LIBS)

check_PROGRAMS += tests/unit/test_client
TESTS += tests/unit/test_client
tests_unit_test_client_SOURCES = tests/unit/test_client.c daemon/client.c daemon/hwclock.c
tests_unit_test_client_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_client_LDADD = daemon/libcore.a discipline/libdiscipline.a $(HWTS_LIBS) \
	$(TSYNC_UNIT_LIBS)

check_PROGRAMS += tests/unit/test_md5
TESTS += tests/unit/test_md5
tests_unit_test_md5_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_md5_LDADD = daemon/libcore.a $(TSYNC_UNIT_LIBS)
