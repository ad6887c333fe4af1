# SPDX-License-Identifier: ISC
# tests/: integration scripts, benchmarks, fuzz targets (unit tests live in each directory's local.mk).
