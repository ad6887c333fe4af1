// SPDX-License-Identifier: ISC
/* The NTS-KE process's entry point (tsyncd-ntske --ntske-role FD LOGFD ...), called from
 * main(). */
#ifndef TSYNC_NTSKE_MAIN_H
#define TSYNC_NTSKE_MAIN_H

#define NTSKE_ROLE_FLAG "--ntske-role"

/* argv: tsyncd-ntske --ntske-role FD LOGFD [tsyncd's arguments]: FD the control socket,
 * LOGFD the log socket to the parent. Returns the exit status. */
int ntske_main(int argc, char **argv);

#endif
