# SPDX-License-Identifier: ISC
# Configuration and command line (daemon/libcore.a) with their tests.
daemon_libcore_a_SOURCES += daemon/config.h daemon/config_int.h daemon/config_parse.c \
	daemon/config_values.c daemon/config_sources.c daemon/config_access.c \
	daemon/config_directives.c daemon/config_print.c

check_PROGRAMS += tests/unit/test_config
TESTS += tests/unit/test_config
tests_unit_test_config_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_config_LDADD = daemon/libcore.a $(TSYNC_UNIT_LIBS)

daemon_libcore_a_SOURCES += daemon/cmdline.c daemon/cmdline.h

check_PROGRAMS += tests/unit/test_cmdline
TESTS += tests/unit/test_cmdline
tests_unit_test_cmdline_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_cmdline_LDADD = daemon/libcore.a $(TSYNC_UNIT_LIBS)
