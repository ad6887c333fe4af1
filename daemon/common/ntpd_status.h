// SPDX-License-Identifier: ISC
/*
 * ntpd's status words (prefix ntpd_): the 16-bit words ntpd 4.2 prints in its event lines and
 * returns in mode 6 (RFC 9327 appendix B, ntpd's ntp_control.h). I/O-free; shared by the parent
 * (event lines, statistics files) and the network child (mode 6 answers).
 *
 * System status word:  LI (bits 15-14) | clock source (13-8) | event count (7-4) | event (3-0)
 * Peer status word:    flags (15-11)   | selection (10-8)    | event count (7-4) | event (3-0)
 *   flags: 0x80 configured (a server/refclock line; pool members are not), 0x40 authentication
 *   enabled (a key is configured), 0x20 authentic (the last reply was authenticated), 0x10
 *   reachable (reach register not 0), 0x08 broadcast (never set by tsyncd).
 *
 * Event counting follows ntpd's report_event(): a different event restarts the count at 1, a
 * repetition of the same event adds one, up to 15 (ntpd then stops logging that event; tsyncd
 * keeps logging with the count held at 15, it never hides an event).
 */
#ifndef TSYNC_DAEMON_NTPD_STATUS_H
#define TSYNC_DAEMON_NTPD_STATUS_H

#include <stdint.h>

/* Clock sources of the system status word (ntpd's CTL_SST_TS_*). */
enum ntpd_clock_source {
    NTPD_SOURCE_UNSPEC = 0, /* no system peer */
    NTPD_SOURCE_PPS = 1,
    NTPD_SOURCE_LOCAL = 5, /* the undisciplined local clock (`local stratum`) */
    NTPD_SOURCE_NTP = 6,   /* an NTP server */
    NTPD_SOURCE_OTHER = 7, /* another reference (tsyncd's PHC reference clocks) */
};

/* Selection codes of the peer status word (ntpd's CTL_PST_SEL_*), with ntpq's tally codes. */
enum ntpd_selection {
    NTPD_SEL_REJECT = 0,    /* ' ' not selectable */
    NTPD_SEL_FALSETICK = 1, /* 'x' outside the intersection */
    NTPD_SEL_EXCESS = 2,    /* '.' beyond the combining limit */
    NTPD_SEL_OUTLIER = 3,   /* '-' dropped by clustering */
    NTPD_SEL_CANDIDATE = 4, /* '+' combined */
    NTPD_SEL_BACKUP = 5,    /* '#' */
    NTPD_SEL_SYSPEER = 6,   /* '*' the system peer */
    NTPD_SEL_PPSPEER = 7,   /* 'o' */
};

/* Flags of the peer status word (its high 5 bits, as ntpd's CTL_PST_*, shifted by 8). */
#define NTPD_PEER_CONFIG     0x80u
#define NTPD_PEER_AUTHENABLE 0x40u
#define NTPD_PEER_AUTHENTIC  0x20u
#define NTPD_PEER_REACH      0x10u
#define NTPD_PEER_BCAST      0x08u

#define NTPD_MAX_EVENT_COUNT 15

/* The last event and how many times in a row it happened (ntpd's last_event/num_events). */
struct ntpd_events {
    uint8_t last;  /* event code, low 4 bits (0: none yet) */
    uint8_t count; /* 0 .. NTPD_MAX_EVENT_COUNT */
};

/* Counts one event (its code; peer events 0x80|n count as n). */
void ntpd_count_event(struct ntpd_events *e, unsigned code);

/* The system status word. leap 0..3, source enum ntpd_clock_source; e may be NULL (none). */
uint16_t ntpd_sys_status(unsigned leap, unsigned source, const struct ntpd_events *e);

/* The peer status word. flags NTPD_PEER_*, selection enum ntpd_selection; e may be NULL. */
uint16_t ntpd_peer_status(unsigned flags, unsigned selection, const struct ntpd_events *e);

/* ntpq's tally code of a selection (" x.-+#*o"), and back (unknown characters: reject). */
char ntpd_tally(unsigned selection);
unsigned ntpd_selection_of_tally(char tally);

/* ntpq's name of a selection ("sys.peer", "candidate", ...) and of a system clock source
 * ("sync_ntp", ...); never NULL. */
const char *ntpd_selection_name(unsigned selection);
const char *ntpd_source_name(unsigned source);

#endif
