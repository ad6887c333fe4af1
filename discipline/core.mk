# SPDX-License-Identifier: ISC
# Filter, selection, combining, loop and step policy, with their tests.
