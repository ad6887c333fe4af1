# SPDX-License-Identifier: ISC
# tests/integration
