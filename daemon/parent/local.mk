# SPDX-License-Identifier: ISC
# daemon/parent/: the privileged parent's logic (message dispatch, discipline actions, the
# snapshot, reference clocks) and its tests.
TSYNC_PARENT_SOURCES = daemon/parent/parent.c daemon/parent/parent.h daemon/parent/parent_int.h \
	daemon/parent/parent_state.c daemon/parent/parent_snapshot.c daemon/parent/parent_refclock.c \
	daemon/parent/parent_nts.c daemon/parent/parent_nts.h
tsyncd_SOURCES += $(TSYNC_PARENT_SOURCES)

check_PROGRAMS += tests/unit/test_parent
TESTS += tests/unit/test_parent
tests_unit_test_parent_SOURCES = tests/unit/test_parent.c $(TSYNC_PARENT_SOURCES) \
	daemon/main/notify.c
tests_unit_test_parent_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_parent_LDADD = daemon/libcore.a daemon/libnts.a discipline/libdiscipline.a \
	$(HWTS_LIBS) $(NETTLE_LIBS) $(TSYNC_UNIT_LIBS)

check_PROGRAMS += tests/unit/test_parent_nts
TESTS += tests/unit/test_parent_nts
tests_unit_test_parent_nts_SOURCES = tests/unit/test_parent_nts.c daemon/parent/parent_nts.c
tests_unit_test_parent_nts_CFLAGS = $(TSYNC_UNIT_CFLAGS) $(NETTLE_CFLAGS)
tests_unit_test_parent_nts_LDADD = daemon/libnts.a daemon/libcore.a discipline/libdiscipline.a \
	$(NETTLE_LIBS) $(TSYNC_UNIT_LIBS)
