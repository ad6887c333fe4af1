# SPDX-License-Identifier: ISC
# discipline/: sources, programs and unit tests of this directory.
