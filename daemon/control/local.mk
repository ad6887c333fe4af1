# SPDX-License-Identifier: ISC
# daemon/control/: the control socket (answered by the network child), tsyncctl and its
# formatting, with their tests.
daemon_libcore_a_SOURCES += daemon/control/control.c daemon/control/control.h \
	daemon/control/tsyncctl_format.c daemon/control/tsyncctl_replies.c daemon/control/tsyncctl_format.h \
	daemon/control/metrics.c daemon/control/metrics.h daemon/control/http.c \
	daemon/control/http.h daemon/control/metrics_server.c daemon/control/metrics_server.h \
	daemon/control/tsyncctl_json.c daemon/control/tsyncctl_json.h daemon/control/tsyncctl_check.c

bin_PROGRAMS += tsyncctl
tsyncctl_SOURCES = daemon/control/tsyncctl.c
tsyncctl_LDADD = daemon/libcore.a discipline/libdiscipline.a -lm
dist_man_MANS += man/tsyncctl.8

TSYNC_CTL_TEST_LIBS = daemon/libcore.a discipline/libdiscipline.a $(TSYNC_UNIT_LIBS)
check_PROGRAMS += tests/unit/test_control tests/unit/test_tsyncctl tests/unit/test_metrics \
	tests/unit/test_tsyncctl_json
TESTS += tests/unit/test_control tests/unit/test_tsyncctl tests/unit/test_metrics \
	tests/unit/test_tsyncctl_json
tests_unit_test_control_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_control_LDADD = $(TSYNC_CTL_TEST_LIBS)
tests_unit_test_tsyncctl_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_tsyncctl_LDADD = $(TSYNC_CTL_TEST_LIBS)
tests_unit_test_metrics_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_metrics_LDADD = $(TSYNC_CTL_TEST_LIBS)
tests_unit_test_tsyncctl_json_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_tsyncctl_json_LDADD = $(TSYNC_CTL_TEST_LIBS)
