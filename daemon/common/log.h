// SPDX-License-Identifier: ISC
/*
 * Logging: to stderr (foreground), syslog (ident "tsyncd", facility daemon) or a file, with a
 * minimum level; and ntpd-style event lines filtered by the `logconfig` mask. The program name
 * in lines and the syslog ident can be changed (`logident ntpd`, for log filters and syslog rules
 * keyed on ntpd).
 *
 * Levels are the syslog priorities LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG.
 * Lines written to stderr and files have ntpd's format:
 *     26 Nov 05:34:52 tsyncd[1234]: message
 * (local time; the day of the month is space-padded to two characters).
 *
 * Event lines (as ntpd's report_event):
 *     <src> <status word, 4 hex> <event code, 2 hex> <name>[ <detail>]
 * src is 0.0.0.0 for system events; peer events have codes 0x80 | n.
 *
 * The logconfig mask uses ntpd's bit layout: 4 bits (info, events, status, statistics) per
 * class, classes sys (bits 0-3), peer (4-7), clock (8-11) and sync (12-15).
 * Without logconfig the mask is ntpd's default, sync class only (=syncall), so by default only
 * clock_sync event lines appear; `logconfig =allevents` or `+peerevents +clockevents` shows the
 * others. Plain messages (log_msg()) are filtered by level only.
 *
 * Rate limits: every line passes a token bucket of its origin and class (log_limit.h); what
 * is over the limit is counted and reported as "rate limit: N log lines (class C) suppressed",
 * so no input can make the daemon write more than a bounded volume.
 *
 * Children: a child that has a channel to the parent hands its lines to log_set_forward()'s
 * hook (the network child sends them as MSG_LOG) and drops its destination (log_detach()): it
 * holds no log file. The parent writes them with log_child_line(), prefixed with the child's
 * name ("net: "), so a line a compromised child forges is recognisably the child's.
 *
 * Not thread-safe (tsyncd is single-threaded per process). Every line is one write(2), so
 * processes sharing an O_APPEND log file do not interleave within a line.
 */
#ifndef TSYNCD_LOG_H
#define TSYNCD_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <syslog.h>
#include <time.h>

#define LOG_LINE_MAX 1024 /* longer lines are truncated */

/* Message classes of logconfig (the nibble index in the mask). */
enum log_class {
    LOG_CLASS_SYS = 0,   /* daemon life cycle: restart, kernel events */
    LOG_CLASS_PEER = 1,  /* sources: reachable, unreachable, sys_peer, no_sys_peer, ... */
    LOG_CLASS_CLOCK = 2, /* local clock: clock_step, freq_set, panic_stop, spike_detect */
    LOG_CLASS_SYNC = 3,  /* synchronisation state: clock_sync */
    LOG_CLASS_PLAIN = 4, /* not a logconfig class: log_msg() lines (for the rate limits) */
};

/* Message types of logconfig (bits within a class nibble). */
enum log_type {
    LOG_TYPE_INFO = 1,
    LOG_TYPE_EVENTS = 2,
    LOG_TYPE_STATUS = 4,
    LOG_TYPE_STATISTICS = 8,
};

/* Mask bit of one class and type. */
#define LOG_EVENT_BIT(cls, type) ((uint32_t)(type) << (4 * (cls)))

/* ntpd event codes (as printed): system events < 0x80, peer events 0x80 | n. */
enum log_event {
    LOG_EV_FREQ_NOT_SET = 0x01,  /* clock: no drift file */
    LOG_EV_FREQ_SET = 0x02,      /* clock: frequency set (from the drift file) */
    LOG_EV_SPIKE_DETECT = 0x03,  /* clock: spike detected, step deferred */
    LOG_EV_FREQ_MODE = 0x04,     /* clock: initial frequency training mode */
    LOG_EV_CLOCK_SYNC = 0x05,    /* sync (status): clock synchronized */
    LOG_EV_RESTART = 0x06,       /* sys: daemon started */
    LOG_EV_PANIC_STOP = 0x07,    /* clock: offset above the panic threshold */
    LOG_EV_NO_SYS_PEER = 0x08,   /* peer: no system peer */
    LOG_EV_CLOCK_STEP = 0x0c,    /* clock: clock stepped */
    LOG_EV_KERN = 0x0d,          /* sys: kernel discipline event */
    LOG_EV_MOBILIZE = 0x81,      /* peer: association mobilized */
    LOG_EV_DEMOBILIZE = 0x82,    /* peer: association demobilized */
    LOG_EV_UNREACHABLE = 0x83,   /* peer: server unreachable */
    LOG_EV_REACHABLE = 0x84,     /* peer: server reachable */
    LOG_EV_NO_REPLY = 0x86,      /* peer: no reply to a burst */
    LOG_EV_RATE_EXCEEDED = 0x87, /* peer: RATE kiss-o'-death received */
    LOG_EV_ACCESS_DENIED = 0x88, /* peer: DENY/RSTR kiss-o'-death received */
    LOG_EV_SYS_PEER = 0x8a,      /* peer: became the system peer */
    LOG_EV_POPCORN = 0x8d,       /* peer: popcorn spike suppressed */
};

/* Where a line comes from: this process, or a child whose lines the parent writes for it. */
enum log_origin {
    LOG_ORIGIN_SELF = 0,
    LOG_ORIGIN_NET = 1,   /* the network child: "net: " */
    LOG_ORIGIN_DNS = 2,   /* the resolver: "dns: " */
    LOG_ORIGIN_SRV = 3,   /* the server workers: "srv: worker N: " */
    LOG_ORIGIN_NTSKE = 4, /* the NTS-KE process: "ntske: " */
    LOG_ORIGIN_COUNT
};

/* Source of the wall-clock time printed in stderr/file lines (tests inject a fixed time). */
typedef void (*log_clock_fn)(struct timespec *now);

/* --- Destination and level ---------------------------------------------------------------- */

/* Logs to stderr (the default). Closes a log file or syslog in use. */
void log_to_stderr(void);

/* Logs to syslog with ident "tsyncd", LOG_PID, facility daemon. The socket is opened now
 * (LOG_NDELAY) so logging keeps working after chroot. */
void log_to_syslog(void);

/* Logs to the file path (opened O_WRONLY|O_CREAT|O_APPEND|O_CLOEXEC, mode 0644). Returns 0, or
 * -errno with the previous destination kept. */
int log_to_file(const char *path);

/* Reopens the log file by name (after logrotate moved it), through its directory when
 * log_keep_dir() kept it. No-op for other destinations. Returns 0 or -errno (the old
 * descriptor stays in use on failure). */
int log_reopen(void);

/* Opens and keeps the log file's directory, so that log_reopen() works after chroot (call it
 * while the file system is visible). 0, or -errno. No-op without a log file. */
int log_keep_dir(void);
/* The flags log_reopen() opens the file with through that directory. */
#define LOG_REOPEN_FLAGS (O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC)
/* That directory's descriptor, -1: none (the parent's sandbox allows the reopen there). */
int log_dir_fd(void);
/* Closes that directory (in children, which never reopen the log). */
void log_forget_dir(void);

/* Closes the log file or syslog and returns to stderr. */
void log_close(void);

/* The program name of lines and the syslog ident: [A-Za-z0-9._-], 1..32 characters. NULL
 * restores "tsyncd". An open syslog connection is reopened with it. 0 or -EINVAL. */
int log_set_ident(const char *ident);
bool log_ident_valid(const char *ident);
/* Closes the log file or syslog and writes nowhere from now on (except through the forward
 * hook): for a child, which must not hold the log file. */
void log_detach(void);

/* A line that passed the filters and the rate limits goes to fn instead of the destination
 * (cls: its class, LOG_CLASS_PLAIN for log_msg()). NULL: to the destination again. */
typedef void (*log_forward_fn)(int level, enum log_class cls, const char *msg, void *ctx);
void log_set_forward(log_forward_fn fn, void *ctx);

/* The parent: writes a line a child sent (text printable) with the origin's prefix, if the
 * level and the origin's rate limits let it through. */
void log_child_line(enum log_origin origin, int level, enum log_class cls, const char *text);

/* Reports the lines suppressed by buckets that have room again (call about once a second, or
 * a flood's count waits for the next line of its class). */
void log_flush_suppressed(void);

/* Minimum severity written: a message is written when its level <= level (LOG_INFO by
 * default; LOG_DEBUG writes everything). */
void log_set_level(int level);

/* Replaces the time source of line timestamps; NULL restores CLOCK_REALTIME. */
void log_set_clock(log_clock_fn fn);

/* --- Messages ----------------------------------------------------------------------------- */

/* Writes one message at level (a syslog priority) if the level passes. */
void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_err(...)     log_msg(LOG_ERR, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_notice(...)  log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_info(...)    log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)   log_msg(LOG_DEBUG, __VA_ARGS__)

/* Writes a message of a logconfig class and type (for example sync status or peer statistics)
 * at level if both the event mask and the level let it through. */
void log_class_msg(enum log_class cls, enum log_type type, int level, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* --- ntpd-style events -------------------------------------------------------------------- */

/* Writes "<src> <status> <code> <name>[ <detail>]" at LOG_INFO if the event's class is enabled.
 * src: the peer address, or NULL for "0.0.0.0" (system events); detail may be NULL. */
void log_event(const char *src, uint16_t status, enum log_event ev, const char *detail);

/* Receives the text of every event line ("<src> <status> <code> <name>[ <detail>]"), whatever
 * the logconfig mask and the level (ntpd writes them all to protostats). NULL: none. */
typedef void (*log_event_sink_fn)(const char *line, void *ctx);
void log_set_event_sink(log_event_sink_fn fn, void *ctx);

/* "0.0.0.0 <status> 0c clock_step <offset, %+.6f> s" */
void log_event_clock_step(uint16_t status, double offset_s);

/* "0.0.0.0 <status> 02 freq_set ntpd <freq, %.3f> PPM", as ntpd writes it when its own loop (not
 * the kernel's) disciplines the clock: tsyncd's loop always does, whichever driver applies it. */
void log_event_freq_set(uint16_t status, double freq_ppm);

/* ntpd's name of an event ("clock_step"), or NULL for an unknown code. */
const char *log_event_name(enum log_event ev);

/* --- logconfig ---------------------------------------------------------------------------- */

/* ntpd's mask when no logconfig is given: sync class, all types (0x0000f000). */
uint32_t log_config_default(void);

/*
 * Applies one logconfig token to *mask as ntpd does. Token: optional prefix '=' (set the mask
 * to exactly this), '+' (add) or '-' (remove); no prefix behaves as '=' (ntpd's parser). Then
 * <class><type> with class clock|peer|sys|sync|all and type info|events|status|statistics|all,
 * or ntpd's aliases allclock|allpeer|allsys|allsync (= <class>all). Returns 0, or -1 with *mask
 * unchanged and a message in err for an unknown token.
 */
int log_config_apply(uint32_t *mask, const char *token, char *err, size_t errlen);

/* Sets the mask that filters event lines and log_class_msg(). */
void log_set_event_mask(uint32_t mask);

/* Formats mask as logconfig tokens that recreate it from any mask ("=syncall +peerevents";
 * "-allall" for 0), for --check-config. Always NUL-terminated (truncated if len is short). */
void log_format_event_mask(uint32_t mask, char *buf, size_t len);

#endif
