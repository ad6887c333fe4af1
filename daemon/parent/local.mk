# SPDX-License-Identifier: ISC
# daemon/parent/: the privileged parent's logic (message dispatch, discipline actions, the
# snapshot, reference clocks) and its tests.
TSYNC_PARENT_SOURCES = daemon/parent/parent.c daemon/parent/parent.h daemon/parent/parent_int.h \
	daemon/parent/parent_state.c daemon/parent/parent_snapshot.c daemon/parent/parent_refclock.c \
	daemon/parent/parent_observe.c daemon/parent/parent_observe.h daemon/parent/parent_disrupt.c \
	daemon/parent/parent_guard.c daemon/parent/parent_guard.h \
	daemon/parent/clockbound.c daemon/parent/clockbound.h daemon/parent/vmclock.c \
	daemon/parent/vmclock.h \
	daemon/parent/parent_events.c daemon/parent/parent_leap.c daemon/parent/parent_stats.c \
	daemon/parent/stats_format.c daemon/parent/stats_format.h daemon/parent/parent_nts.c \
	daemon/parent/parent_nts.h
tsyncd_SOURCES += $(TSYNC_PARENT_SOURCES)

check_PROGRAMS += tests/unit/test_parent tests/unit/test_stats_format
TESTS += tests/unit/test_parent tests/unit/test_stats_format
tests_unit_test_stats_format_SOURCES = tests/unit/test_stats_format.c \
	daemon/parent/stats_format.c daemon/parent/stats_format.h
tests_unit_test_stats_format_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_stats_format_LDADD = daemon/libcore.a $(TSYNC_UNIT_LIBS)
tests_unit_test_parent_SOURCES = tests/unit/test_parent.c $(TSYNC_PARENT_SOURCES) \
	daemon/main/notify.c
tests_unit_test_parent_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_parent_LDADD = daemon/libnts.a daemon/libcore.a discipline/libdiscipline.a \
	$(HWTS_LIBS) $(TSYNC_UNIT_LIBS)

check_PROGRAMS += tests/unit/test_parent_nts
TESTS += tests/unit/test_parent_nts
tests_unit_test_parent_nts_SOURCES = tests/unit/test_parent_nts.c daemon/parent/parent_nts.c
tests_unit_test_parent_nts_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_parent_nts_LDADD = daemon/libnts.a daemon/libcore.a discipline/libdiscipline.a \
	$(TSYNC_UNIT_LIBS)

check_PROGRAMS += tests/unit/test_clockbound
TESTS += tests/unit/test_clockbound
tests_unit_test_clockbound_SOURCES = tests/unit/test_clockbound.c daemon/parent/clockbound.c \
	daemon/parent/vmclock.c
tests_unit_test_clockbound_CFLAGS = $(TSYNC_UNIT_CFLAGS) -pthread
tests_unit_test_clockbound_LDADD = $(TSYNC_UNIT_LIBS) -lpthread -lm

# The hostile-child harness: a compromised network child against the real parent (issue 10).
check_PROGRAMS += tests/unit/test_hostile_child
TESTS += tests/unit/test_hostile_child
tests_unit_test_hostile_child_SOURCES = tests/unit/test_hostile_child.c tests/lib/child_sim.c \
	tests/lib/child_sim.h $(TSYNC_PARENT_SOURCES) daemon/main/notify.c
tests_unit_test_hostile_child_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_hostile_child_LDADD = daemon/libnts.a daemon/libcore.a discipline/libdiscipline.a \
	$(HWTS_LIBS) $(TSYNC_UNIT_LIBS)
