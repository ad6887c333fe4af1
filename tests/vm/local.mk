# SPDX-License-Identifier: ISC
# tests/vm
