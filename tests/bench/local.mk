# SPDX-License-Identifier: ISC
# tests/bench
