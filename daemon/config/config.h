// SPDX-License-Identifier: ISC
/*
 * tsyncd configuration: ntp.conf syntax (plus tsyncd's own directives) parsed into a plain
 * struct cfg that the rest of the daemon reads.
 *
 * Syntax: one directive per line, words separated by blanks, '#' starts a comment, a word may
 * be double-quoted to contain blanks. Unknown directives and options are warnings (existing
 * ntp.conf files keep working) unless CFG_STRICT is given, which turns them into errors. Bad
 * values (non-numeric, out of range, missing argument, bad address, NaN/inf) are always errors.
 * Every problem is collected in a struct cfg_diag as "FILE:LINE: message" naming the bad word.
 *
 * Memory is bounded: at most CFG_MAX_* entries of each kind, lines of at most CFG_MAX_LINE
 * bytes, files of at most CFG_MAX_FILE_SIZE bytes, CFG_MAX_INCLUDE_DEPTH nested includefiles.
 */
#ifndef TSYNC_CONFIG_H
#define TSYNC_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "daemon/common/auth.h"

#define CFG_MAX_SOURCES       128       /* server + pool lines */
#define CFG_MAX_RESTRICTS     512       /* restrict rules */
#define CFG_MAX_ACL           512       /* allow/deny rules */
#define CFG_MAX_REFCLOCKS     16        /* refclock lines */
#define CFG_MAX_HWTS          32        /* hwtimestamp lines */
#define CFG_MAX_LINE          4096      /* bytes per line, newline excluded */
#define CFG_MAX_WORDS         64        /* words per line */
#define CFG_MAX_FILE_SIZE     (1 << 20) /* bytes per configuration file */
#define CFG_MAX_INCLUDE_DEPTH 8         /* nested includefile levels below the main file */
#define CFG_MAX_INCLUDES      64        /* includefile directives followed in one load */
#define CFG_MAX_DIAGS         200       /* messages kept; later ones are only counted */
#define CFG_MAX_NAME          253       /* host name length (DNS limit) */
#define CFG_MAX_TRUSTED       256       /* trustedkey ids and ranges */

#define CFG_DEFAULT_PATH           "/etc/ntp.conf"
#define CFG_DEFAULT_CONTROLSOCKET  "/run/tsyncd/tsyncd.sock"
#define CFG_CONTROLSOCKET_NONE     "none" /* `controlsocket none` */
#define CFG_DEFAULT_PORT           123
#define CFG_DEFAULT_MINPOLL        6  /* log2 s: 64 s */
#define CFG_DEFAULT_MAXPOLL        10 /* log2 s: 1024 s */
#define CFG_MIN_POLL               0  /* log2 s: 1 s, for LANs and tests (ntpsec allows 0) */
#define CFG_MAX_POLL               17 /* log2 s: 36.4 h */
#define CFG_DEFAULT_VERSION        4
#define CFG_DEFAULT_STEP_S         0.128  /* ntpd step threshold */
#define CFG_DEFAULT_PANIC_S        1000.0 /* ntpd panic threshold; 0 disables the panic check */
#define CFG_DEFAULT_STEPOUT_S      900.0  /* ntpd stepout threshold */
#define CFG_DEFAULT_DISPERSION_PPM 15.0   /* ntpd's PHI: the clock's frequency tolerance */
#define CFG_DEFAULT_MAXSLEW_PPM    500.0
#define CFG_DEFAULT_MINSOURCES     1
#define CFG_LOCAL_CLOCK_STRATUM    5    /* ntpd's LOCAL driver (127.127.1.0) default stratum */
#define CFG_DEFAULT_METRICS_PORT   9975 /* Prometheus metrics (ntpd-rs's port) */
#define CFG_DEFAULT_CLOCKBOUND     "/var/run/clockbound/shm0" /* ClockBound segment v2 */
#define CFG_DEFAULT_VMCLOCK        "/dev/vmclock0"
#define CFG_DEFAULT_STATSDIR       "/var/log/ntpstats/" /* where ntp's Debian package has them */
#define CFG_MAX_LISTEN             4                    /* -I interfaces or addresses */
#define CFG_DEFAULT_NTSKE_PORT     4460
#define CFG_DEFAULT_NTS_ROTATE_S   86400.0 /* cookie key rotation (chrony's ntsrotate) */
#define CFG_DEFAULT_NTS_KEYS       "/var/lib/tsyncd/nts-keys" /* the package's state directory */

/* Flags of a server/pool line. */
#define CFG_SRC_IBURST   0x01u /* burst of requests while unreachable (at start) */
#define CFG_SRC_BURST    0x02u /* burst of requests at each poll while reachable */
#define CFG_SRC_PREFER   0x04u /* preferred source in selection */
#define CFG_SRC_NOSELECT 0x08u /* polled and shown, never selected */
#define CFG_SRC_TRUE     0x10u /* never declared a falseticker */
#define CFG_SRC_XLEAVE   0x20u /* interleaved mode (RFC 9769) */
#define CFG_SRC_NTS      0x40u /* authenticated with NTS (RFC 8915): NTS-KE with NAME first */

enum cfg_source_type {
    CFG_SOURCE_SERVER, /* one association with NAME ("peer" lines become servers) */
    CFG_SOURCE_POOL,   /* several associations with the addresses NAME resolves to */
};

/* Address family restriction of a server/pool name, restrict or allow/deny rule. */
enum cfg_family {
    CFG_FAMILY_ANY = 0, /* no -4/-6 given */
    CFG_FAMILY_IPV4 = 4,
    CFG_FAMILY_IPV6 = 6,
};

struct cfg_source {
    enum cfg_source_type type;
    char *name;             /* host name or address literal, never NULL */
    enum cfg_family family; /* -4/-6 before the name */
    unsigned flags;         /* CFG_SRC_* */
    int minpoll;            /* log2 s, CFG_MIN_POLL..CFG_MAX_POLL, <= maxpoll */
    int maxpoll;            /* log2 s */
    int version;            /* NTP version sent in requests, 1..4 */
    unsigned port;          /* UDP port of the server (tsyncd extension, chrony syntax); with
                             * NTS the port NTS-KE negotiates wins */
    unsigned nts_port;      /* NTS-KE port (chrony's ntsport), default CFG_DEFAULT_NTSKE_PORT */
    uint32_t key_id;        /* `key N`: requests signed and replies verified with key N; 0: none */
};

/* trustedkey: the key ids first..last (a single id: first == last), 1..65535. */
struct cfg_key_range {
    uint16_t first, last;
};

/* An IPv4 or IPv6 address with a mask; IPv4 addresses use the first 4 bytes. */
struct cfg_net {
    enum cfg_family family; /* CFG_FAMILY_IPV4 or CFG_FAMILY_IPV6 */
    uint8_t addr[16];       /* network byte order, already masked */
    uint8_t mask[16];       /* ntpd allows non-contiguous masks */
};

/* Flags of a restrict rule (ntpd names). */
enum cfg_restrict_flag {
    CFG_RES_IGNORE = 1u << 0,
    CFG_RES_KOD = 1u << 1,
    CFG_RES_LIMITED = 1u << 2,
    CFG_RES_LOWPRIOTRAP = 1u << 3,
    CFG_RES_NOMODIFY = 1u << 4,
    CFG_RES_NOQUERY = 1u << 5,
    CFG_RES_NOPEER = 1u << 6,
    CFG_RES_NOSERVE = 1u << 7,
    CFG_RES_NOTRAP = 1u << 8,
    CFG_RES_NOTRUST = 1u << 9,
    CFG_RES_NTPPORT = 1u << 10,
    CFG_RES_VERSION = 1u << 11,
    CFG_RES_MSSNTP = 1u << 12,
    CFG_RES_FLAKE = 1u << 13,
    CFG_RES_NOMRULIST = 1u << 14,
    CFG_RES_NOEPEER = 1u << 15,
};

enum cfg_restrict_kind {
    CFG_RESTRICT_DEFAULT, /* "default": every address of the family (both if ANY) */
    CFG_RESTRICT_SOURCE,  /* "source": the addresses of configured servers/pools */
    CFG_RESTRICT_NET,     /* an address with a mask (or "mask", or /LEN) */
    CFG_RESTRICT_HOST,    /* a host name, resolved by the daemon */
};

struct cfg_restrict {
    enum cfg_restrict_kind kind;
    enum cfg_family family; /* DEFAULT, HOST: -4/-6 or ANY; NET: the address family; SOURCE: ANY */
    struct cfg_net net;     /* NET: the network; HOST: an optional mask (net.family ANY if none) */
    char *host;             /* for HOST, else NULL */
    uint32_t flags;         /* enum cfg_restrict_flag bits */
};

/* chrony-style allow/deny rule; evaluated by the server, most specific match wins. */
struct cfg_acl {
    bool allow;             /* allow (true) or deny (false) */
    bool all;               /* "all": overrides every more specific earlier rule */
    enum cfg_family family; /* ANY when the rule has no address (matches everything) */
    struct cfg_net net;     /* when family is IPV4 or IPV6 */
};

struct cfg_refclock {
    char *device;      /* /dev/ptpN or a network interface name (its PHC) */
    int poll;          /* log2 s between readings batches, -6..12 */
    double delay_s;    /* assumed round-trip delay of a reading, 0..1 s */
    double offset_s;   /* added to the PHC time, -1..1 s */
    unsigned flags;    /* CFG_SRC_PREFER, CFG_SRC_NOSELECT */
    unsigned readings; /* PHC readings per sample, 1..25 (default 25; the fastest are kept) */
};

struct cfg_hwts {
    char *iface; /* interface name or "*" for every interface that supports it */
};

/* Observability and virtual-machine clock settings. */
struct cfg_observe {
    bool metrics; /* a `metrics` line: serve Prometheus metrics over HTTP */
    enum cfg_family metrics_family;
    uint8_t metrics_addr[16]; /* network order; default 127.0.0.1 */
    unsigned metrics_port;    /* 1..65535, default CFG_DEFAULT_METRICS_PORT */
    char *clockbound;         /* ClockBound shared memory segment to write, NULL: off */
    char *vmclock;            /* VMClock device to watch, NULL: CFG_DEFAULT_VMCLOCK if present */
    bool vmclock_off;         /* `vmclock off` */
};

enum cfg_clock_driver {
    CFG_CLOCK_SYSTEM,  /* the kernel clock (adjtimex/clock_adjtime) */
    CFG_CLOCK_NONE,    /* measure only, never adjust anything */
    CFG_CLOCK_VIRTUAL, /* a software clock derived from the host clock (tests) */
};

/* chrony's ratelimit semantics. */
struct cfg_ratelimit {
    bool enabled;   /* a ratelimit line was given */
    int interval;   /* log2 s of the minimum mean interval between responses, -19..12 */
    unsigned burst; /* responses allowed in a burst, 1..255 */
    unsigned leak;  /* log2 of the leak rate: 1 in 2^leak limited requests answered, 0..4 */
    int kod;        /* -1: no KoD; N: a KoD RATE reply to 1 in 2^N limited requests, 0..4 */
};

/* ntpd's statistics files (`statistics`, `filegen`), written by the parent. */
enum cfg_stats {
    CFG_STATS_LOOP,  /* loopstats: one line per clock update */
    CFG_STATS_PEER,  /* peerstats: one line per sample of a source */
    CFG_STATS_CLOCK, /* clockstats: one line per reference clock reading */
    CFG_STATS_SYS,   /* sysstats: server counters, hourly */
    CFG_STATS_PROTO, /* protostats: the event lines */
    CFG_N_STATS,
};

/* When a statistics file set starts a new file (ntpd's filegen types). */
enum cfg_filegen_type {
    CFG_FILEGEN_NONE,  /* one file, no suffix */
    CFG_FILEGEN_PID,   /* .#PID: one per run */
    CFG_FILEGEN_DAY,   /* .YYYYMMDD (UTC), the default */
    CFG_FILEGEN_WEEK,  /* .YYYYwWW (ISO 8601 week) */
    CFG_FILEGEN_MONTH, /* .YYYYMM */
    CFG_FILEGEN_YEAR,  /* .YYYY */
    CFG_FILEGEN_AGE,   /* .aSSSSSSSS: every 24 h of running, seconds since the start */
};

struct cfg_filegen {
    bool enabled;               /* `statistics NAME` or `filegen NAME ... enable` */
    bool link;                  /* the current file also has its name without suffix (default) */
    enum cfg_filegen_type type; /* default CFG_FILEGEN_DAY */
    char *file;                 /* file name in statsdir (no '/'), NULL: the set's name */
};

struct cfg {
    struct cfg_source sources[CFG_MAX_SOURCES];
    size_t n_sources;
    struct cfg_restrict restricts[CFG_MAX_RESTRICTS]; /* in file order; ntpd: last match wins */
    size_t n_restricts;
    struct cfg_acl acls[CFG_MAX_ACL]; /* in file order */
    size_t n_acls;
    struct cfg_refclock refclocks[CFG_MAX_REFCLOCKS];
    size_t n_refclocks;
    struct cfg_hwts hwts[CFG_MAX_HWTS];
    size_t n_hwts;

    char *driftfile;     /* NULL: no drift file */
    char *logfile;       /* NULL: syslog (or stderr in the foreground) */
    char *leapfile;      /* NULL: none */
    char *pidfile;       /* NULL: none */
    char *user;          /* unprivileged user of the network child; NULL: built-in default */
    char *group;         /* its group; NULL: the user's primary group */
    char *chroot_dir;    /* NULL: built-in default */
    char *controlsocket; /* never NULL after loading; default CFG_DEFAULT_CONTROLSOCKET;
                          * CFG_CONTROLSOCKET_NONE: no control socket (simulators) */
    uint32_t
        log_mask; /* logconfig event mask (daemon/common/log.h), default log_config_default() */

    double step_s;         /* tinker step: offsets above are stepped; 0 = never step */
    double panic_s;        /* tinker panic: offsets above make the daemon give up; 0 = no check */
    double stepout_s;      /* tinker stepout: time above step_s before stepping */
    double dispersion_ppm; /* tinker dispersion: frequency tolerance (ppm) of the clock guard */

    enum cfg_clock_driver clock;
    double clock_offset_s; /* virtual clock: initial offset from the host clock */
    double clock_freq_ppm; /* virtual clock: frequency error relative to the host clock */

    unsigned port;          /* UDP port served, 1..65535, default 123 */
    int local_stratum;      /* 0: off; 1..15: serve the local clock at this stratum */
    double maxslewrate_ppm; /* largest slew rate applied, default 500 */
    unsigned minsources;    /* sources that must agree before the clock is updated */
    struct cfg_ratelimit ratelimit;

    /* NTS (RFC 8915): NTPsec's `nts ...` and chrony's nts* directives */
    char *nts_cert;        /* NTS-KE server certificate chain (PEM); with nts_key: serve NTS */
    char *nts_key;         /* its private key (PEM) */
    char *nts_trusted;     /* CA certificates (PEM) for NTS-KE servers; NULL: the system store */
    char *nts_cookie_file; /* the server's cookie keys; NULL: CFG_DEFAULT_NTS_KEYS */
    char *nts_ntp_server;  /* NTPv4 server named in NTS-KE responses (chrony's ntsntpserver) */
    unsigned ntske_port;   /* NTS-KE server port, default CFG_DEFAULT_NTSKE_PORT */
    double nts_rotate_s;   /* cookie key rotation, s; 0: never */

    /* Symmetric-key authentication (daemon/common/auth.h). The keys file is read while the
     * configuration is loaded (by root, before any sandbox); only its trusted keys are kept. */
    char *keys_file;                               /* `keys`: the ntp.keys file; NULL: none */
    struct cfg_key_range trusted[CFG_MAX_TRUSTED]; /* `trustedkey` */
    size_t n_trusted;
    uint32_t controlkey, requestkey; /* accepted, unused: no mode 6 writes, no mode 7; 0: none */
    struct auth_keyring keys;        /* the trusted keys of keys_file, wiped by cfg_free */
    struct cfg_observe observe;      /* metrics, clockbound, vmclock (config_observe.c) */
    char *statsdir; /* statistics directory ending in '/', NULL: CFG_DEFAULT_STATSDIR */
    struct cfg_filegen filegen[CFG_N_STATS]; /* indexed by enum cfg_stats */
    char *log_ident;                         /* logident: name in log lines, NULL: "tsyncd" */
    unsigned minclock; /* tos minclock: clustering keeps at least this many, 0: default (3) */
    unsigned maxclock; /* tos maxclock: associations and combined survivors, 0: default */
    enum cfg_family ip_family;    /* ntpd -4/-6: this family only; ANY: both */
    char *listen[CFG_MAX_LISTEN]; /* ntpd -I: interfaces or addresses served (and loopback) */
    size_t n_listen;
    unsigned n_includefiles; /* includefile directives met (read, or skipped: CFG_NO_INCLUDE) */
};

/* The NTS-KE server is configured (certificate and key given, not `nts disable`). */
bool cfg_nts_server(const struct cfg *c);
/* Some source uses NTS. */
bool cfg_nts_client(const struct cfg *c);

/* Load flags. */
#define CFG_STRICT 0x1u /* unknown directives/options are errors, not warnings */
#define CFG_NO_INCLUDE                                                                             \
    0x2u /* do not open includefile files (fuzzing): warn instead; the keys                        \
          file is not read either */

enum cfg_level { CFG_WARNING, CFG_ERROR };

struct cfg_msg {
    enum cfg_level level;
    unsigned line; /* 0 when the message is about a whole file */
    char *text;    /* "FILE:LINE: message" (warnings: "FILE:LINE: warning: message") */
};

/* The warnings and errors of one load. */
struct cfg_diag {
    struct cfg_msg *msgs; /* the first CFG_MAX_DIAGS messages */
    size_t n_msgs;
    size_t n_errors;   /* all errors, including those not kept */
    size_t n_warnings; /* all warnings, including those not kept */
};

/* Sets every field of c to its default (no sources, port 123, tinker defaults, ...). */
void cfg_init(struct cfg *c);

/* Frees the strings c owns and resets it to the defaults. Safe on an initialised cfg. */
void cfg_free(struct cfg *c);

/*
 * Loads the file at path into out (initialised by the call, with the defaults) and appends
 * every warning and error to diag (which must be initialised with cfg_diag_init). flags:
 * CFG_STRICT, CFG_NO_INCLUDE. Returns 0 when there was no error, -1 otherwise; in both cases
 * out holds what could be parsed and must be released with cfg_free.
 */
int cfg_load_file(const char *path, unsigned flags, struct cfg *out, struct cfg_diag *diag);

/*
 * Like cfg_load_file for text[0..len) (need not be NUL-terminated); name is used in messages
 * and its directory anchors relative includefile paths.
 */
int cfg_load_string(const char *name, const char *text, size_t len, unsigned flags, struct cfg *out,
                    struct cfg_diag *diag);

/*
 * Writes c in a readable, stable form, one item per line, which is itself a valid
 * configuration. Returns 0, or -1 on an output error.
 */
int cfg_print(const struct cfg *c, FILE *out);

/* True when key id is listed by a trustedkey line. */
bool cfg_key_trusted(const struct cfg *c, uint32_t id);

/* Wipes every key of c->keys that no source uses (in a process that does not serve). */
void cfg_keep_source_keys(struct cfg *c);
/* ntpd's name of a statistics file set ("loopstats"). */
const char *cfg_stats_name(enum cfg_stats k);

/* Pool addresses one `pool` line may contribute: 4, or with `tos maxclock N` the associations
 * left after the `server` lines, shared by the pool lines (at least 1, at most 16). */
unsigned cfg_pool_members(const struct cfg *c);

/* Name of a restrict flag bit (e.g. "nomodify"), or NULL for an unknown bit. */
const char *cfg_restrict_flag_name(uint32_t bit);

void cfg_diag_init(struct cfg_diag *d);
void cfg_diag_free(struct cfg_diag *d);

/* Writes every kept message, one per line, and a note if some were not kept. */
void cfg_diag_print(const struct cfg_diag *d, FILE *out);

#endif
