# SPDX-License-Identifier: ISC
# seccomp/: sources, programs and unit tests of this directory.
