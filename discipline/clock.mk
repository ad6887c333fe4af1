# SPDX-License-Identifier: ISC
# Clock drivers and drift file, with their tests.
TSYNC_CLOCK_SOURCES = discipline/clock.c discipline/clock.h discipline/clock_int.h \
	discipline/clock_system.c discipline/clock_none.c discipline/clock_virtual.c \
	discipline/driftfile.c discipline/driftfile.h
discipline_libdiscipline_a_SOURCES += $(TSYNC_CLOCK_SOURCES)

# The tests compile the sources they need directly, so they do not depend on the rest of
# libdiscipline.a.
check_PROGRAMS += tests/unit/test_clock tests/unit/test_clock_system tests/unit/test_driftfile
TESTS += tests/unit/test_clock tests/unit/test_clock_system tests/unit/test_driftfile
tests_unit_test_clock_SOURCES = tests/unit/test_clock.c $(TSYNC_CLOCK_SOURCES)
tests_unit_test_clock_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_clock_LDADD = $(TSYNC_UNIT_LIBS)
tests_unit_test_clock_system_SOURCES = tests/unit/test_clock_system.c $(TSYNC_CLOCK_SOURCES)
tests_unit_test_clock_system_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_clock_system_LDADD = $(TSYNC_UNIT_LIBS)
tests_unit_test_driftfile_SOURCES = tests/unit/test_driftfile.c discipline/driftfile.c \
	discipline/driftfile.h
tests_unit_test_driftfile_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_driftfile_LDADD = $(TSYNC_UNIT_LIBS)
