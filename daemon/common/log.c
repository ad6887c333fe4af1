// SPDX-License-Identifier: ISC
/* Logging and ntpd-style event lines; see log.h. */
#include "config.h"

#include "daemon/common/log.h"
#include "daemon/common/log_limit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LOG_IDENT_DEFAULT "tsyncd"
#define LOG_IDENT_MAX     32
#define ALL_TYPES         0xfu /* info | events | status | statistics */
#define CLASS_COUNT       4
#define MASK_ALL          0xffffu

enum log_dest { DEST_STDERR, DEST_SYSLOG, DEST_FILE, DEST_NONE };

/* Name of each origin (enum log_origin): the prefix of the lines the parent writes for it. */
static const char *const origin_name[LOG_ORIGIN_COUNT] = {"", "net", "dns", "srv", "ntske"};
static const char *const limit_class_names[LOG_CLASS_PLAIN + 1] = {"sys", "peer", "clock", "sync",
                                                                   "plain"};

static char log_ident[LOG_IDENT_MAX + 1] = LOG_IDENT_DEFAULT; /* openlog() keeps the pointer */

static struct {
    enum log_dest dest;
    int fd;     /* stderr or the log file */
    char *path; /* log file name (DEST_FILE) */
    int dirfd;  /* its directory, kept for reopening after chroot (-1: reopen by path) */
    int level;  /* highest priority value written */
    log_clock_fn clock;
    uint32_t event_mask;
    log_event_sink_fn sink; /* every event line, before the mask (statistics: protostats) */
    void *sink_ctx;
    log_forward_fn forward; /* a child's lines go there instead (to the parent) */
    void *forward_ctx;
    struct loglim_bucket limits[LOG_ORIGIN_COUNT][LOG_CLASS_PLAIN + 1];
} logger = {
    .dest = DEST_STDERR,
    .fd = STDERR_FILENO,
    .dirfd = -1,
    .level = LOG_INFO,
    .event_mask = 0xf000u,
};

/* --- Destination and level ---------------------------------------------------------------- */

static void close_destination(void)
{
    log_forget_dir();
    if (logger.dest == DEST_FILE) {
        close(logger.fd);
        free(logger.path);
        logger.path = NULL;
    } else if (logger.dest == DEST_SYSLOG) {
        closelog();
    }
    logger.dest = DEST_STDERR;
    logger.fd = STDERR_FILENO;
}

void log_to_stderr(void)
{
    close_destination();
}

void log_to_syslog(void)
{
    close_destination();
    openlog(log_ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
    logger.dest = DEST_SYSLOG;
}

static int open_log_file(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    return fd < 0 ? -errno : fd;
}

int log_to_file(const char *path)
{
    char *copy = strdup(path);
    if (copy == NULL)
        return -ENOMEM;
    int fd = open_log_file(path);
    if (fd < 0) {
        free(copy);
        return fd;
    }
    close_destination();
    logger.dest = DEST_FILE;
    logger.fd = fd;
    logger.path = copy;
    return 0;
}

int log_keep_dir(void)
{
    const char *slash;
    char dir[4096];
    int fd;

    if (logger.dest != DEST_FILE || logger.dirfd >= 0)
        return 0;
    slash = strrchr(logger.path, '/');
    if (slash == NULL || (size_t)(slash - logger.path) >= sizeof(dir))
        return -EINVAL;
    snprintf(dir, sizeof(dir), "%.*s", slash == logger.path ? 1 : (int)(slash - logger.path),
             logger.path);
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    logger.dirfd = fd;
    return 0;
}

int log_dir_fd(void)
{
    return logger.dirfd;
}

void log_forget_dir(void)
{
    if (logger.dirfd >= 0)
        close(logger.dirfd);
    logger.dirfd = -1;
}

int log_reopen(void)
{
    int fd;

    if (logger.dest != DEST_FILE)
        return 0;
    if (logger.dirfd >= 0)
        fd = openat(logger.dirfd, strrchr(logger.path, '/') + 1, LOG_REOPEN_FLAGS, 0644);
    else
        fd = open_log_file(logger.path);
    if (fd < 0)
        return logger.dirfd >= 0 ? -errno : fd;
    close(logger.fd);
    logger.fd = fd;
    return 0;
}

void log_close(void)
{
    close_destination();
}

bool log_ident_valid(const char *ident)
{
    size_t n = strlen(ident);

    if (n == 0 || n > LOG_IDENT_MAX)
        return false;
    return strspn(ident, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

int log_set_ident(const char *ident)
{
    if (ident == NULL)
        ident = LOG_IDENT_DEFAULT;
    if (!log_ident_valid(ident))
        return -EINVAL;
    if (strcmp(ident, log_ident) == 0)
        return 0;
    snprintf(log_ident, sizeof(log_ident), "%s", ident);
    if (logger.dest == DEST_SYSLOG) {
        closelog();
        openlog(log_ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
    }
    return 0;
}

void log_detach(void)
{
    close_destination();
    logger.dest = DEST_NONE;
}

void log_set_forward(log_forward_fn fn, void *ctx)
{
    logger.forward = fn;
    logger.forward_ctx = ctx;
}

void log_set_level(int level)
{
    logger.level = level;
}

void log_set_clock(log_clock_fn fn)
{
    logger.clock = fn;
}

/* --- Writing lines ------------------------------------------------------------------------ */

/* "26 Nov 05:34:52 tsyncd[1234]: " into buf; returns its length. */
static size_t format_prefix(char *buf, size_t len)
{
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    struct timespec now;
    struct tm tm;

    if (logger.clock != NULL)
        logger.clock(&now);
    else
        clock_gettime(CLOCK_REALTIME, &now);
    if (localtime_r(&now.tv_sec, &tm) == NULL)
        memset(&tm, 0, sizeof(tm));
    int n =
        snprintf(buf, len, "%2d %s %02d:%02d:%02d %s[%ld]: ", tm.tm_mday, months[tm.tm_mon % 12],
                 tm.tm_hour, tm.tm_min, tm.tm_sec, log_ident, (long)getpid());
    return n < 0 ? 0 : ((size_t)n < len ? (size_t)n : len - 1);
}

static void write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return; /* nowhere left to report a logging failure */
        buf += n;
        len -= (size_t)n;
    }
}

/* One line to the destination (or the forward hook), no filter. */
static void deliver(int level, enum log_class cls, const char *msg)
{
    if (logger.forward != NULL) {
        logger.forward(level, cls, msg, logger.forward_ctx);
        return;
    }
    if (logger.dest == DEST_NONE)
        return;
    if (logger.dest == DEST_SYSLOG) {
        syslog(level, "%s", msg);
        return;
    }
    char line[LOG_LINE_MAX + 64];
    size_t n = format_prefix(line, sizeof(line));
    int m = snprintf(line + n, sizeof(line) - n, "%s\n", msg);
    if (m < 0)
        return;
    n = (size_t)m < sizeof(line) - n ? n + (size_t)m : sizeof(line) - 1;
    line[n - 1] = '\n'; /* keep the newline when truncated */
    write_all(logger.fd, line, n);
}

static double monotonic_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void report_suppressed(enum log_origin origin, enum log_class cls, uint64_t n)
{
    char msg[160];

    snprintf(msg, sizeof(msg), "rate limit: %llu log lines%s%s (class %s) suppressed",
             (unsigned long long)n, origin == LOG_ORIGIN_SELF ? "" : " of ", origin_name[origin],
             limit_class_names[cls]);
    deliver(LOG_WARNING, cls, msg);
}

/* A line of origin and class, if its rate limit lets it through (log_limit.h). */
static void emit_limited(enum log_origin origin, int level, enum log_class cls, const char *msg)
{
    uint64_t report;
    bool admit = loglim_admit(&logger.limits[origin][cls], monotonic_s(), &report);

    if (report > 0)
        report_suppressed(origin, cls, report);
    if (admit)
        deliver(level, cls, msg);
}

static void emit(int level, enum log_class cls, const char *msg)
{
    emit_limited(LOG_ORIGIN_SELF, level, cls, msg);
}

void log_child_line(enum log_origin origin, int level, enum log_class cls, const char *text)
{
    char msg[LOG_LINE_MAX];

    if (origin <= LOG_ORIGIN_SELF || origin >= LOG_ORIGIN_COUNT || cls > LOG_CLASS_PLAIN ||
        level > logger.level)
        return;
    snprintf(msg, sizeof(msg), "%s: %s", origin_name[origin], text);
    emit_limited(origin, level, cls, msg);
}

void log_flush_suppressed(void)
{
    double now = monotonic_s();

    for (int o = 0; o < LOG_ORIGIN_COUNT; o++) {
        for (int c = 0; c <= LOG_CLASS_PLAIN; c++) {
            uint64_t n = loglim_flush(&logger.limits[o][c], now);
            if (n > 0)
                report_suppressed((enum log_origin)o, (enum log_class)c, n);
        }
    }
}

static void vemit(int level, enum log_class cls, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

static void vemit(int level, enum log_class cls, const char *fmt, va_list ap)
{
    char msg[LOG_LINE_MAX];

    vsnprintf(msg, sizeof(msg), fmt, ap);
    emit(level, cls, msg);
}

void log_msg(int level, const char *fmt, ...)
{
    if (level > logger.level)
        return;
    va_list ap;
    va_start(ap, fmt);
    vemit(level, LOG_CLASS_PLAIN, fmt, ap);
    va_end(ap);
}

static bool class_enabled(enum log_class cls, enum log_type type)
{
    return (logger.event_mask & LOG_EVENT_BIT(cls, type)) != 0;
}

void log_class_msg(enum log_class cls, enum log_type type, int level, const char *fmt, ...)
{
    if (level > logger.level || !class_enabled(cls, type))
        return;
    va_list ap;
    va_start(ap, fmt);
    vemit(level, cls, fmt, ap);
    va_end(ap);
}

/* --- Events ------------------------------------------------------------------------------- */

struct event_info {
    enum log_event code;
    const char *name;
    enum log_class cls;
    enum log_type type;
};

static const struct event_info events[] = {
    {LOG_EV_FREQ_NOT_SET, "freq_not_set", LOG_CLASS_CLOCK, LOG_TYPE_EVENTS},
    {LOG_EV_FREQ_SET, "freq_set", LOG_CLASS_CLOCK, LOG_TYPE_EVENTS},
    {LOG_EV_SPIKE_DETECT, "spike_detect", LOG_CLASS_CLOCK, LOG_TYPE_EVENTS},
    {LOG_EV_FREQ_MODE, "freq_mode", LOG_CLASS_CLOCK, LOG_TYPE_EVENTS},
    {LOG_EV_CLOCK_SYNC, "clock_sync", LOG_CLASS_SYNC, LOG_TYPE_STATUS},
    {LOG_EV_RESTART, "restart", LOG_CLASS_SYS, LOG_TYPE_EVENTS},
    {LOG_EV_PANIC_STOP, "panic_stop", LOG_CLASS_CLOCK, LOG_TYPE_EVENTS},
    {LOG_EV_NO_SYS_PEER, "no_sys_peer", LOG_CLASS_PEER, LOG_TYPE_EVENTS},
    {LOG_EV_CLOCK_STEP, "clock_step", LOG_CLASS_CLOCK, LOG_TYPE_EVENTS},
    {LOG_EV_KERN, "kern", LOG_CLASS_SYS, LOG_TYPE_EVENTS},
    {LOG_EV_MOBILIZE, "mobilize", LOG_CLASS_PEER, LOG_TYPE_EVENTS},
    {LOG_EV_DEMOBILIZE, "demobilize", LOG_CLASS_PEER, LOG_TYPE_EVENTS},
    {LOG_EV_UNREACHABLE, "unreachable", LOG_CLASS_PEER, LOG_TYPE_EVENTS},
    {LOG_EV_REACHABLE, "reachable", LOG_CLASS_PEER, LOG_TYPE_EVENTS},
    {LOG_EV_NO_REPLY, "no_reply", LOG_CLASS_PEER, LOG_TYPE_EVENTS},
    {LOG_EV_RATE_EXCEEDED, "rate_exceeded", LOG_CLASS_PEER, LOG_TYPE_EVENTS},
    {LOG_EV_ACCESS_DENIED, "access_denied", LOG_CLASS_PEER, LOG_TYPE_EVENTS},
    {LOG_EV_SYS_PEER, "sys_peer", LOG_CLASS_PEER, LOG_TYPE_EVENTS},
    {LOG_EV_POPCORN, "popcorn", LOG_CLASS_PEER, LOG_TYPE_EVENTS},
};

static const struct event_info *find_event(enum log_event ev)
{
    for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
        if (events[i].code == ev)
            return &events[i];
    }
    return NULL;
}

const char *log_event_name(enum log_event ev)
{
    const struct event_info *info = find_event(ev);
    return info != NULL ? info->name : NULL;
}

void log_set_event_sink(log_event_sink_fn fn, void *ctx)
{
    logger.sink = fn;
    logger.sink_ctx = ctx;
}

void log_event(const char *src, uint16_t status, enum log_event ev, const char *detail)
{
    const struct event_info *info = find_event(ev);
    char msg[LOG_LINE_MAX];

    if (info == NULL)
        return;
    snprintf(msg, sizeof(msg), "%s %04x %02x %s%s%s", src != NULL ? src : "0.0.0.0", status,
             (unsigned)ev, info->name, detail != NULL ? " " : "", detail != NULL ? detail : "");
    if (logger.sink != NULL)
        logger.sink(msg, logger.sink_ctx);
    if (LOG_INFO > logger.level || !class_enabled(info->cls, info->type))
        return;
    emit(LOG_INFO, info->cls, msg);
}

void log_event_clock_step(uint16_t status, double offset_s)
{
    char detail[64];

    snprintf(detail, sizeof(detail), "%+.6f s", offset_s);
    log_event(NULL, status, LOG_EV_CLOCK_STEP, detail);
}

void log_event_freq_set(uint16_t status, double freq_ppm)
{
    char detail[64];

    snprintf(detail, sizeof(detail), "ntpd %.3f PPM", freq_ppm);
    log_event(NULL, status, LOG_EV_FREQ_SET, detail);
}

/* --- logconfig ---------------------------------------------------------------------------- */

static const char *const class_names[CLASS_COUNT] = {"sys", "peer", "clock", "sync"};

static const struct {
    const char *name;
    uint32_t bits;
} type_names[] = {
    {"info", LOG_TYPE_INFO},     {"events", LOG_TYPE_EVENTS},
    {"status", LOG_TYPE_STATUS}, {"statistics", LOG_TYPE_STATISTICS},
    {"all", ALL_TYPES},
};

uint32_t log_config_default(void)
{
    return LOG_EVENT_BIT(LOG_CLASS_SYNC, ALL_TYPES);
}

/* Type bits (one nibble) named by s, or 0. */
static uint32_t parse_type(const char *s)
{
    for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++) {
        if (strcmp(s, type_names[i].name) == 0)
            return type_names[i].bits;
    }
    return 0;
}

/* Class index whose name is a prefix of s (setting *rest after it), or -1. */
static int parse_class(const char *s, const char **rest)
{
    for (int c = 0; c < CLASS_COUNT; c++) {
        size_t n = strlen(class_names[c]);
        if (strncmp(s, class_names[c], n) == 0) {
            *rest = s + n;
            return c;
        }
    }
    return -1;
}

/* Mask bits named by a keyword without prefix ("peerevents", "allinfo", "allsync", "all"), or
 * 0. */
static uint32_t keyword_mask(const char *kw)
{
    const char *rest;
    int cls;

    if (strcmp(kw, "all") == 0)
        return ALL_TYPES * 0x1111u; /* everything, as "allall" */
    if (strncmp(kw, "all", 3) == 0) {
        uint32_t type = parse_type(kw + 3);
        if (type != 0)
            return type * 0x1111u; /* the same types in every class */
        cls = parse_class(kw + 3, &rest);
        return cls >= 0 && *rest == '\0' ? LOG_EVENT_BIT(cls, ALL_TYPES) : 0;
    }
    cls = parse_class(kw, &rest);
    if (cls < 0)
        return 0;
    uint32_t type = parse_type(rest);
    return LOG_EVENT_BIT(cls, type);
}

int log_config_apply(uint32_t *mask, const char *token, char *err, size_t errlen)
{
    char op = '=';
    const char *kw = token;

    if (token[0] == '=' || token[0] == '+' || token[0] == '-') {
        op = token[0];
        kw = token + 1;
    }
    uint32_t bits = keyword_mask(kw);
    if (bits == 0) {
        snprintf(err, errlen, "unknown logconfig keyword '%s'", token);
        return -1;
    }
    if (op == '=')
        *mask = bits;
    else if (op == '+')
        *mask |= bits;
    else
        *mask &= ~bits;
    return 0;
}

void log_set_event_mask(uint32_t mask)
{
    logger.event_mask = mask;
}

/* Appends one token to buf at *pos ('=' before the first, '+' before the others). */
static void append_token(char *buf, size_t len, size_t *pos, const char *cls, const char *type)
{
    if (*pos >= len)
        return;
    int n = snprintf(buf + *pos, len - *pos, "%s%c%s%s", *pos == 0 ? "" : " ",
                     *pos == 0 ? '=' : '+', cls, type);
    *pos = n < 0 ? len : *pos + (size_t)n;
}

void log_format_event_mask(uint32_t mask, char *buf, size_t len)
{
    static const int print_order[CLASS_COUNT] = {LOG_CLASS_CLOCK, LOG_CLASS_PEER, LOG_CLASS_SYS,
                                                 LOG_CLASS_SYNC};
    size_t pos = 0;

    if (len == 0)
        return;
    buf[0] = '\0';
    if ((mask & MASK_ALL) == 0) {
        snprintf(buf, len, "-allall");
        return;
    }
    if ((mask & MASK_ALL) == MASK_ALL) {
        snprintf(buf, len, "=allall");
        return;
    }
    for (int i = 0; i < CLASS_COUNT; i++) {
        int cls = print_order[i];
        uint32_t nibble = (mask >> (4 * cls)) & ALL_TYPES;
        if (nibble == ALL_TYPES) {
            append_token(buf, len, &pos, class_names[cls], "all");
            continue;
        }
        for (size_t t = 0; t < 4; t++) {
            if (nibble & type_names[t].bits)
                append_token(buf, len, &pos, class_names[cls], type_names[t].name);
        }
    }
}
