# SPDX-License-Identifier: ISC
# tests/vm: tests that need a real kernel clock, run in a QEMU guest by tests/vm/vmrun (see
# tests/vm/README.md). They exit 77 (skip) when no guest can run here.
VM_TESTS = \
	tests/vm/runner.sh \
	tests/vm/clock_driver.sh \
	tests/vm/phc_igb.sh \
	tests/vm/hwts_igb.sh \
	tests/vm/ntp_igb.sh \
	tests/vm/clock_set.sh \
	tests/vm/refclock_phc.sh \
	tests/vm/vmclock_restore.sh \
	tests/vm/swap_ntpsec.sh \
	tests/vm/swap_chrony.sh

# Probes copied into the guest.
VM_PROBES = tests/vm/clockprobe tests/vm/phcprobe tests/vm/hwtsprobe tests/vm/ntpmon
check_PROGRAMS += $(VM_PROBES)
tests_vm_clockprobe_SOURCES = tests/vm/clockprobe.c tests/vm/probe.c tests/vm/probe.h
tests_vm_clockprobe_LDADD = discipline/libdiscipline.a -lm
tests_vm_phcprobe_SOURCES = tests/vm/phcprobe.c tests/vm/probe.c tests/vm/probe.h
tests_vm_phcprobe_LDADD = $(HWTS_LIBS) -lm
tests_vm_hwtsprobe_SOURCES = tests/vm/hwtsprobe.c tests/vm/probe.c tests/vm/probe.h
tests_vm_hwtsprobe_LDADD = $(HWTS_LIBS)
tests_vm_ntpmon_SOURCES = tests/vm/ntpmon.c tests/vm/probe.c tests/vm/probe.h
tests_vm_ntpmon_LDADD = -lm

TESTS += $(VM_TESTS)
dist_check_SCRIPTS += $(VM_TESTS) tests/vm/lib.sh tests/vm/vmrun tests/vm/guest-init.sh \
	tests/vm/refclock_phc.guest.sh tests/vm/ntp_igb.guest.sh tests/vm/clock_set.guest.sh \
	tests/vm/guest-debian.sh \
	tests/vm/vmrun-debian.sh \
	tests/vm/swap.guest-lib.sh tests/vm/swap_ntpsec.guest.sh tests/vm/swap_chrony.guest.sh
EXTRA_DIST += tests/vm/bench_igb.sh tests/vm/bench_igb.guest.sh
EXTRA_DIST += tests/vm/README.md

# make check-vm: build the probes and the daemon, prepare the guest image (Debian packages only;
# skipped without root), then run the vm tests alone and print "N passed, N failed".
check-vm: $(VM_PROBES) tsyncd tsyncctl
	@$(srcdir)/tests/vm/vmrun build || test $$? = 77
	@pass=0; fail=0; skip=0; \
	for t in $(VM_TESTS); do \
	  log=tests/vm/$$(basename $$t .sh).log; \
	  (top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' $(srcdir)/$$t; \
	   echo $$? >$$log.rc) 2>&1 | tee $$log; rc=$$(cat $$log.rc); rm -f $$log.rc; \
	  case $$rc in \
	    0) pass=$$((pass + 1)); echo "PASS: $$t" ;; \
	    77) skip=$$((skip + 1)); echo "SKIP: $$t" ;; \
	    *) fail=$$((fail + 1)); echo "FAIL: $$t (exit $$rc, log $$log)" ;; \
	  esac; \
	done; \
	echo "$$pass passed, $$fail failed, $$skip skipped"; \
	test $$fail = 0
.PHONY: check-vm
