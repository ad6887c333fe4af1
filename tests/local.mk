# SPDX-License-Identifier: ISC
# tests/: integration scripts, benchmarks, fuzz targets, vm tests (unit tests live in each
# directory's local.mk).
include tests/fuzz/local.mk
include tests/bench/local.mk
include tests/vm/local.mk
include tests/integration/local.mk
