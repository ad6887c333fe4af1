# SPDX-License-Identifier: ISC
# Filter, selection, combining, loop and step policy, with their tests.
TSYNC_DISC_CORE_SOURCES = \
	discipline/discipline.h discipline/disc_internal.h \
	discipline/discipline.c discipline/disc_update.c discipline/disc_status.c \
	discipline/sample.h discipline/sample.c \
	discipline/filter.h discipline/filter.c \
	discipline/select.h discipline/select.c \
	discipline/loop.h discipline/loop.c \
	discipline/guard.h discipline/guard.c
discipline_libdiscipline_a_SOURCES += $(TSYNC_DISC_CORE_SOURCES)
EXTRA_DIST += discipline/DESIGN.md

# Like the clock tests, the tests and the benchmark compile the sources they need directly.
TSYNC_DISC_TESTS = tests/unit/test_filter tests/unit/test_select tests/unit/test_loop \
	tests/unit/test_discipline tests/unit/test_guard
check_PROGRAMS += $(TSYNC_DISC_TESTS)
TESTS += $(TSYNC_DISC_TESTS)
tests_unit_test_filter_SOURCES = tests/unit/test_filter.c $(TSYNC_DISC_CORE_SOURCES)
tests_unit_test_filter_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_filter_LDADD = $(TSYNC_UNIT_LIBS)
tests_unit_test_select_SOURCES = tests/unit/test_select.c $(TSYNC_DISC_CORE_SOURCES)
tests_unit_test_select_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_select_LDADD = $(TSYNC_UNIT_LIBS)
tests_unit_test_loop_SOURCES = tests/unit/test_loop.c $(TSYNC_DISC_CORE_SOURCES)
tests_unit_test_loop_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_loop_LDADD = $(TSYNC_UNIT_LIBS)
tests_unit_test_discipline_SOURCES = tests/unit/test_discipline.c $(TSYNC_DISC_CORE_SOURCES)
tests_unit_test_discipline_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_discipline_LDADD = $(TSYNC_UNIT_LIBS)
tests_unit_test_guard_SOURCES = tests/unit/test_guard.c discipline/guard.h discipline/guard.c
tests_unit_test_guard_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_guard_LDADD = $(TSYNC_UNIT_LIBS)
