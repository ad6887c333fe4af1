# SPDX-License-Identifier: ISC
# daemon/config/: configuration and command line (daemon/libcore.a) with their tests.
daemon_libcore_a_SOURCES += daemon/config/config.h daemon/config/config_int.h \
	daemon/config/config_parse.c daemon/config/config_values.c daemon/config/config_sources.c \
	daemon/config/config_access.c daemon/config/config_directives.c \
	daemon/config/config_print.c daemon/config/config_keys.c daemon/config/config_security.c \
	daemon/config/config_observe.c daemon/config/config_stats.c daemon/config/config_nts.c \
	daemon/config/cmdline.c daemon/config/cmdline_apply.c daemon/config/cmdline.h

TSYNC_CONFIG_TESTS = tests/unit/test_config tests/unit/test_config_access \
	tests/unit/test_config_files tests/unit/test_cmdline tests/unit/test_config_keys \
	tests/unit/test_config_security tests/unit/test_config_nts tests/unit/test_config_clock
check_PROGRAMS += $(TSYNC_CONFIG_TESTS)
TESTS += $(TSYNC_CONFIG_TESTS)
tests_unit_test_config_SOURCES = tests/unit/test_config.c tests/unit/test_config_util.h
tests_unit_test_config_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_config_LDADD = daemon/libcore.a $(TSYNC_UNIT_LIBS)
tests_unit_test_config_access_SOURCES = tests/unit/test_config_access.c \
	tests/unit/test_config_util.h
tests_unit_test_config_access_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_config_access_LDADD = daemon/libcore.a $(TSYNC_UNIT_LIBS)
tests_unit_test_config_files_SOURCES = tests/unit/test_config_files.c \
	tests/unit/test_config_util.h
tests_unit_test_config_files_CPPFLAGS = $(AM_CPPFLAGS) \
	-DTSYNC_TEST_DATADIR='"$(abs_top_srcdir)/tests/data"'
tests_unit_test_config_files_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_config_files_LDADD = daemon/libcore.a $(TSYNC_UNIT_LIBS)
tests_unit_test_config_clock_SOURCES = tests/unit/test_config_clock.c \
	tests/unit/test_config_util.h
tests_unit_test_config_clock_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_config_clock_LDADD = daemon/libcore.a $(TSYNC_UNIT_LIBS)
tests_unit_test_config_nts_SOURCES = tests/unit/test_config_nts.c tests/unit/test_config_util.h
tests_unit_test_config_nts_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_config_nts_LDADD = daemon/libcore.a $(TSYNC_UNIT_LIBS)
tests_unit_test_config_keys_SOURCES = tests/unit/test_config_keys.c tests/unit/test_config_util.h
tests_unit_test_config_keys_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_config_keys_LDADD = daemon/libcore.a $(TSYNC_UNIT_LIBS)
tests_unit_test_config_security_SOURCES = tests/unit/test_config_security.c \
	tests/unit/test_config_util.h
tests_unit_test_config_security_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_config_security_LDADD = daemon/libcore.a $(TSYNC_UNIT_LIBS)
tests_unit_test_cmdline_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_cmdline_LDADD = daemon/libcore.a $(TSYNC_UNIT_LIBS)

EXTRA_DIST += tests/data/amazon-linux-ntp.conf tests/data/rhel7-ntp.conf \
	tests/data/debian-ntpsec-ntp.conf tests/data/ubuntu-ntp.conf

TESTS += tests/integration/check_config.sh
dist_check_SCRIPTS += tests/integration/check_config.sh
