# SPDX-License-Identifier: ISC
# tests/bench: benchmarks that print numbers (built by `make`, not run by `make check`).
# tests/bench/discipline: the discipline simulator (docs/performance.md).
noinst_PROGRAMS += tests/bench/discipline
tests_bench_discipline_SOURCES = tests/bench/discipline.c tests/bench/sim.h tests/bench/sim.c \
	tests/bench/rfc5905.h tests/bench/rfc5905.c
tests_bench_discipline_LDADD = discipline/libdiscipline.a -lm
