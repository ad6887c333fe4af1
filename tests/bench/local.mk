# SPDX-License-Identifier: ISC
# tests/bench: benchmarks that print numbers (built by `make`, not run by `make check`), and the
# simulation suite that asserts (run by `make check`).
# tests/bench/discipline: the discipline simulator (docs/performance.md).
noinst_PROGRAMS += tests/bench/discipline
tests_bench_discipline_SOURCES = tests/bench/discipline.c tests/bench/sim.h tests/bench/sim.c \
	tests/bench/rfc5905.h tests/bench/rfc5905.c
tests_bench_discipline_LDADD = discipline/libdiscipline.a -lm

# The pass/fail simulation suite on the same simulator (issue 9.6): run by `make check`.
check_PROGRAMS += tests/unit/test_sim_suite
TESTS += tests/unit/test_sim_suite
tests_unit_test_sim_suite_SOURCES = tests/unit/test_sim_suite.c tests/bench/sim.h \
	tests/bench/sim.c tests/bench/rfc5905.h tests/bench/rfc5905.c
tests_unit_test_sim_suite_CFLAGS = $(TSYNC_UNIT_CFLAGS)
tests_unit_test_sim_suite_LDADD = discipline/libdiscipline.a $(TSYNC_UNIT_LIBS) -lm
