# SPDX-License-Identifier: ISC
# tests/fuzz
