# SPDX-License-Identifier: ISC
# Clock drivers and drift file, with their tests.
