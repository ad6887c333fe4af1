# SPDX-License-Identifier: ISC
# Control socket, tsyncctl and the resolver process, with their tests.
daemon_libcore_a_SOURCES += daemon/control.c daemon/control.h daemon/resolver.c \
	daemon/resolver.h daemon/tsyncctl_format.c daemon/tsyncctl_format.h

bin_PROGRAMS += tsyncctl
tsyncctl_SOURCES = daemon/tsyncctl.c
tsyncctl_LDADD = daemon/libcore.a discipline/libdiscipline.a -lm
dist_man_MANS += man/tsyncctl.8

TSYNC_CTL_TEST_LIBS = daemon/libcore.a discipline/libdiscipline.a $(TSYNC_UNIT_LIBS)
check_PROGRAMS += tests/unit/test_control tests/unit/test_tsyncctl tests/unit/test_resolver
TESTS += tests/unit/test_control tests/unit/test_tsyncctl tests/unit/test_resolver
tests_unit_test_control_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_control_LDADD = $(TSYNC_CTL_TEST_LIBS)
tests_unit_test_tsyncctl_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_tsyncctl_LDADD = $(TSYNC_CTL_TEST_LIBS)
tests_unit_test_resolver_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_resolver_LDADD = $(TSYNC_CTL_TEST_LIBS)
