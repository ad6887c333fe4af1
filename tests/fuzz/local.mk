# SPDX-License-Identifier: ISC
# tests/fuzz: libFuzzer targets, built with clang by tests/fuzz/run-fuzz.sh (not by automake).
#
# `make fuzz` builds every target in FUZZ_TARGETS and runs each for FUZZ_SECONDS (default 60,
# e.g. `make fuzz FUZZ_SECONDS=10`), FUZZ_JOBS (environment, default 2) at a time; it fails on any
# crash. Adding a target NAME is one line here,
# `FUZZ_TARGETS += NAME`, plus tests/fuzz/fuzz_NAME.c with a "// fuzz-sources: ..." line naming
# the project sources to compile into it, and optional seeds in tests/fuzz/corpus/NAME/.
FUZZ_SECONDS = 60
FUZZ_TARGETS = packet msg config auth http tsyncctl mode6 leapfile server cmsg netlink drift \
	cmdline resolver control client parent ntske_records nts_ef

EXTRA_DIST += tests/fuzz/run-fuzz.sh tests/fuzz/corpus $(FUZZ_TARGETS:%=tests/fuzz/fuzz_%.c)

fuzz:
	@if test -z "$(CLANG)"; then \
	  for t in $(FUZZ_TARGETS); do \
	    echo "fuzz $$t: build failed (clang not found at configure time: apt-get install clang libclang-rt-14-dev)"; \
	  done; \
	  exit 1; \
	fi
	CLANG="$(CLANG)" $(SHELL) $(srcdir)/tests/fuzz/run-fuzz.sh $(top_builddir) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

.PHONY: fuzz
