# SPDX-License-Identifier: ISC
# daemon/resolver/: the resolver process (libcore.a: --single-process runs it inline) and its
# tests.
daemon_libcore_a_SOURCES += daemon/resolver/resolver.c daemon/resolver/resolver.h

check_PROGRAMS += tests/unit/test_resolver
TESTS += tests/unit/test_resolver
tests_unit_test_resolver_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_resolver_LDADD = daemon/libcore.a discipline/libdiscipline.a $(TSYNC_UNIT_LIBS)
