// SPDX-License-Identifier: ISC
/*
 * The message schema between tsyncd's processes (prefix msg_), version MSG_VERSION.
 *
 * Transport: SOCK_SEQPACKET socketpairs, one message per datagram. Every message is a
 * struct msg_header followed by exactly one fixed-size payload of its type; `length` counts
 * header and payload. No pointers, no variable-length fields; strings are fixed arrays that
 * must be NUL-terminated and printable. Both directions carry a sequence number that starts at
 * 1 and grows by one per message: a gap, a replay or any field out of range means the sender
 * is broken or compromised.
 *
 *   network child -> parent       parent -> network child
 *   MSG_HELLO                     MSG_CLOCK_MAP   (first, and after every clock change)
 *   MSG_SOURCE_ADD                MSG_SNAPSHOT    (after every update)
 *   MSG_SOURCE_REMOVE
 *   MSG_SOURCE_POLLED             MSG_BURST       (the clock was disrupted: poll every
 *   MSG_SAMPLE                                     client source in a burst now)
 *   MSG_SOURCE_ANSWERED
 *   MSG_SERVER_STATS   (the server's counters, for sysstats)
 *   MSG_LOG         (its log lines: the child holds no log file)
 *   MSG_HEARTBEAT   (every MSG_HEARTBEAT_S: the parent's watchdog)
 *
 *   network child -> resolver      resolver -> network child
 *   MSG_RESOLVE                    MSG_RESOLVED
 *
 *   parent -> resolver: MSG_CHANNEL carrying (SCM_RIGHTS) the resolver's end of the pair to a
 *   newly started network child, whose sequence numbers start again at 1.
 *
 *   parent -> network child: MSG_NTS_KEYS (the NTS server's cookie keys, after HELLO and after
 *   every rotation)
 *
 *   NTS-KE process (daemon/ntske/) -> parent: MSG_HELLO once its credentials are loaded
 *   parent -> NTS-KE: MSG_CHANNEL (as to the resolver), MSG_NTSKE_LISTEN (SCM_RIGHTS: the
 *   listening TCP socket of the NTS-KE server)
 *   network child -> NTS-KE          NTS-KE -> network child
 *   MSG_NTSKE_REQUEST                MSG_NTSKE_RESULT      (client side)
 *   MSG_NTSKE_COOKIES                MSG_NTSKE_COOKIE_REQ  (server side: the network child
 *                                                          seals the cookies; the NTS-KE
 *                                                          process never holds cookie keys)
 *
 * The parent validates each child message with msg_validate() and treats any failure as a dead
 * child. The child validates the parent's messages the same way (a bug must not crash it).
 * The control socket (tsyncctl) reuses the same header with MSG_SNAPSHOT as its only answer.
 */
#ifndef TSYNC_DAEMON_MSG_H
#define TSYNC_DAEMON_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "discipline/clock.h"

#define MSG_VERSION     1
#define MSG_NTP_SLOTS   32 /* slots 0..31: NTP sources, assigned by the network child */
#define MSG_MAX_SOURCES 48 /* slots 32..47: reference clocks, assigned by the parent */
#define MSG_NAME_LEN    64 /* configured name (truncated for display), NUL-terminated */
#define MSG_ADDR_LEN    48 /* numeric address text "[v6]:port" fits */
#define MSG_REASON_LEN  160
#define MSG_DRIVER_LEN  12
#define MSG_HOST_LEN    256   /* host name to resolve, NUL-terminated */
#define MSG_MAX_ADDRS   16    /* addresses returned per name */
#define MSG_MAX_SIZE    16384 /* receive buffer: larger than any message */

/* NTS (RFC 8915) */
#define MSG_NTS_KEY_LEN     32  /* AEAD_AES_SIV_CMAC_256 key */
#define MSG_NTS_COOKIES     8   /* cookies per NTS-KE session */
#define MSG_NTS_COOKIE_LEN  256 /* longest cookie */
#define MSG_NTS_SERVER_KEYS 3   /* cookie keys of the NTS server */

enum msg_type {
    MSG_HELLO = 1,
    MSG_SOURCE_ADD = 2,
    MSG_SOURCE_REMOVE = 3,
    MSG_SOURCE_POLLED = 4,
    MSG_SAMPLE = 5,
    MSG_SOURCE_ANSWERED = 6, /* a reply to our request that gave no sample (flags: why) */
    MSG_SERVER_STATS = 7,    /* network child -> parent: struct msg_server_counters (sysstats) */
    MSG_LOG = 8,             /* network child -> parent: one log line */
    MSG_HEARTBEAT = 9,       /* network child -> parent: its loop is turning */
    MSG_CLOCK_MAP = 16,
    MSG_SNAPSHOT = 17,
    MSG_BURST = 18,       /* parent -> network child: start a burst on every client source */
    MSG_NTS_KEYS = 19,    /* parent -> network child: the NTS server's cookie keys */
    MSG_CTL_REQUEST = 32, /* tsyncctl -> network child: send a snapshot */
    MSG_RESOLVE = 40,     /* network child -> resolver: resolve a name */
    MSG_RESOLVED = 41,    /* resolver -> network child: the addresses */
    MSG_CHANNEL = 42,     /* parent -> resolver: a new channel (SCM_RIGHTS) for a new child */

    MSG_NTSKE_LISTEN = 43,     /* parent -> NTS-KE: the listening socket (SCM_RIGHTS) */
    MSG_NTSKE_REQUEST = 44,    /* network child -> NTS-KE: run NTS-KE with a server */
    MSG_NTSKE_RESULT = 45,     /* NTS-KE -> network child: the session's keys and cookies */
    MSG_NTSKE_COOKIE_REQ = 46, /* NTS-KE -> network child: cookies for a client's session */
    MSG_NTSKE_COOKIES = 47,    /* network child -> NTS-KE: the sealed cookies */
};

struct msg_header {
    uint16_t version;  /* MSG_VERSION */
    uint16_t type;     /* enum msg_type */
    uint32_t length;   /* header + payload, octets */
    uint32_t seq;      /* 1, 2, 3 ... per direction */
    uint32_t reserved; /* 0 */
};

/* A time on the CLOCK_REALTIME scale of the disciplined clock. */
struct msg_time {
    int64_t sec;  /* >= 0 */
    int32_t nsec; /* 0 .. 999999999 */
    int32_t pad;  /* 0 */
};

struct msg_hello {
    uint32_t pid;         /* the child's pid, for the log */
    uint32_t max_sources; /* MSG_MAX_SOURCES the child was built with */
};

enum msg_source_kind {
    MSG_KIND_SERVER = 0,   /* a `server` line */
    MSG_KIND_POOL = 1,     /* one address of a `pool` line */
    MSG_KIND_REFCLOCK = 2, /* a `refclock` line: read by the parent itself, never announced */
};

struct msg_source_add {
    uint32_t slot;      /* 0 .. MSG_NTP_SLOTS-1, not in use */
    uint32_t kind;      /* MSG_KIND_SERVER or MSG_KIND_POOL */
    uint32_t cfg_index; /* index into the parent's own cfg.sources */
    uint32_t family;    /* AF_INET, AF_INET6 */
    uint8_t addr[16];   /* network order; IPv4 in the first 4 octets */
    uint32_t port;      /* 1..65535 */
    uint32_t pad;
    char name[MSG_NAME_LEN]; /* configured name, printable */
};

struct msg_source_ref {
    uint32_t slot;  /* a slot in use */
    uint32_t flags; /* MSG_SOURCE_POLLED: MSG_POLL_RETRY or 0; MSG_SOURCE_ANSWERED: the
                     * enum msg_reject reason; 0 for the other types */
};

/* MSG_SOURCE_POLLED of a request that repeats an unanswered one at once: it does not change
 * the poll interval the parent sees. The network child repeats an unanswered request
 * MSG_RETRIES times, MSG_RETRY_TIMEOUT_S apart (for polls of MSG_RETRY_MIN_POLL_S and more;
 * shorter polls are their own retries), so one lost packet costs a second, not a poll interval,
 * and never raises an alarm; a source silent through its retries is unreachable. */
#define MSG_POLL_RETRY       0x1u
#define MSG_RETRIES          2
#define MSG_RETRY_TIMEOUT_S  1.0
#define MSG_RETRY_MIN_POLL_S 4.0

/* Why a reply to a source was not used, counted per source (tsyncctl sources -v). The parent
 * counts its own reasons (the discipline's verdicts); the network child adds its reasons when
 * it answers the control socket. */
enum msg_reject {
    MSG_REJECT_STALE = 0,    /* parent: t1 taken before the last clock step */
    MSG_REJECT_INVALID,      /* parent: timestamps not usable (t4 < t1, t3 << t2, ...) */
    MSG_REJECT_TOO_SOON,     /* parent: less than 0.5 s after the previous sample */
    MSG_REJECT_POPCORN,      /* parent: delay outlier */
    MSG_REJECT_UNSYNC,       /* parent: the server says it is not synchronised */
    MSG_REJECT_PENDING,      /* parent: far from the prediction, held to confirm a step */
    MSG_REJECT_MALFORMED,    /* child: not a valid NTP server reply */
    MSG_REJECT_ORIGIN,       /* child: not an answer to the outstanding request (late, dup) */
    MSG_REJECT_KOD,          /* child: kiss-o'-death */
    MSG_REJECT_OUT_OF_RANGE, /* child: values the parent would refuse */
    MSG_REJECT_AUTH,         /* child: not authentic: a keyed source's reply unsigned or its
                              * MAC wrong; NTS: bad or no authenticator, NTS NAK */
    MSG_REJECT_NO_PREVIOUS,  /* child: interleaved, but the exchange it completes was used or
                              * lost (at the switch from basic mode, after a loss or a step) */
    MSG_REJECT_COUNT
};

struct msg_sample {
    uint32_t slot;
    uint8_t ts_source;        /* enum disc_ts_source of the sample: the weaker of tx and rx */
    uint8_t tx_source;        /* enum disc_ts_source of t1 */
    uint8_t rx_source;        /* enum disc_ts_source of t4 */
    uint8_t flags;            /* MSG_SAMPLE_INTERLEAVED or 0 */
    struct msg_time t1;       /* client transmit (local clock) */
    struct msg_time t2;       /* server receive (server clock) */
    struct msg_time t3;       /* server transmit (server clock) */
    struct msg_time t4;       /* client receive (local clock) */
    double root_delay_s;      /* 0 .. 16 */
    double root_dispersion_s; /* 0 .. 16 */
    uint32_t refid;           /* host order */
    uint8_t stratum;          /* 1 .. 16 (16: the server is unsynchronised) */
    uint8_t leap;             /* 0 .. 3 */
    int8_t precision_log2;    /* -32 .. 0 */
    uint8_t pad;
    uint32_t map_generation; /* the CLOCK_MAP t1 and t4 were converted with */
    uint32_t pad1;
    double age_s; /* the exchange ended this long before the reply arrived (interleaved: one
                   * poll; basic: 0), 0 .. MSG_MAX_SAMPLE_AGE_S */
};

/* msg_sample.flags: the sample completes the previous exchange with the server's true transmit
 * time, from an interleaved reply (RFC 9769). */
#define MSG_SAMPLE_INTERLEAVED 0x1u
#define MSG_MAX_SAMPLE_AGE_S   (2 * 131072.0) /* twice the longest poll */

/* One log line of a child, which holds no log file (it cannot write one, nor forge a line of
 * the parent's): the parent writes it with the child's prefix ("net: ...") under its own rate
 * limits (daemon/common/log.h). */
#define MSG_LOG_TEXT_LEN 256
struct msg_log {
    uint8_t level; /* syslog priority, LOG_ERR (3) .. LOG_DEBUG (7) */
    uint8_t cls;   /* enum log_class, or LOG_CLASS_PLAIN for a plain message */
    uint8_t pad[6];
    char text[MSG_LOG_TEXT_LEN]; /* printable, NUL-terminated */
};

/* The network child sends a heartbeat at least every MSG_HEARTBEAT_S while its loop turns; the
 * parent kills and restarts a child silent for longer than its watchdog timeout. */
#define MSG_HEARTBEAT_S 1.0
struct msg_heartbeat {
    uint32_t count; /* 1, 2, ... */
    uint32_t pad;
};

struct msg_clock_map {
    struct msg_time host_ref;
    double offset_ref_s;
    double rate_ppm;
    uint32_t generation; /* 1, +1 per step of the clock; samples name the one they used */
    uint32_t pad;
};

/* Resolver requests: name must be a host name or address literal ([A-Za-z0-9.:_-]). */
struct msg_resolve {
    uint32_t id;     /* echoed in the reply */
    uint32_t family; /* 0 any, 4 IPv4 only, 6 IPv6 only */
    char name[MSG_HOST_LEN];
};

struct msg_addr {
    uint32_t family; /* AF_INET or AF_INET6 */
    uint32_t pad;
    uint8_t addr[16]; /* network order; IPv4 in the first 4 octets */
};

struct msg_resolved {
    uint32_t id;
    int32_t error;  /* 0, or a getaddrinfo() EAI_* code */
    uint32_t count; /* 0 .. MSG_MAX_ADDRS valid entries in addrs */
    uint32_t pad;
    struct msg_addr addrs[MSG_MAX_ADDRS];
};

struct msg_channel {
    uint32_t generation; /* 1, 2, ... one per network child started */
    uint32_t pad;
};

/* The NTS server's cookie keys (daemon/nts/nts_keys.h), oldest first, the last one current. */
struct msg_nts_key {
    uint32_t id;
    uint32_t pad;
    int64_t created; /* Unix time, s, >= 0 */
    uint8_t key[MSG_NTS_KEY_LEN];
};

struct msg_nts_keys {
    uint32_t count; /* 0 .. MSG_NTS_SERVER_KEYS; ids distinct */
    uint32_t pad;
    struct msg_nts_key keys[MSG_NTS_SERVER_KEYS];
};

struct msg_ntske_listen {
    uint32_t family; /* AF_INET or AF_INET6 of the socket passed */
    uint32_t pad;
};

/* Run NTS-KE with the server at addr:port, whose certificate must name host. */
struct msg_ntske_request {
    uint32_t id;     /* echoed in the result */
    uint32_t family; /* AF_INET, AF_INET6 */
    uint8_t addr[16];
    uint32_t port; /* 1..65535 */
    uint32_t pad;
    char host[MSG_HOST_LEN]; /* a host name or address literal (msg_resolve's rule) */
};

enum msg_ntske_status {
    MSG_NTSKE_OK = 0,
    MSG_NTSKE_CONNECT,  /* no TCP connection */
    MSG_NTSKE_TLS,      /* the TLS handshake or session failed (not TLS 1.3, no ALPN ntske/1) */
    MSG_NTSKE_CERT,     /* the certificate does not verify (trust, host name, expiry) */
    MSG_NTSKE_PROTOCOL, /* the NTS-KE response is an error or malformed */
    MSG_NTSKE_TIMEOUT,  /* no complete response in time */
    MSG_NTSKE_BUSY,     /* too many sessions at once: try later */
    MSG_NTSKE_STATUS_COUNT
};

struct msg_ntske_result {
    uint32_t id;
    uint32_t status;                      /* enum msg_ntske_status */
    uint32_t ncookies;                    /* MSG_NTSKE_OK: 1 .. MSG_NTS_COOKIES, else 0 */
    uint32_t ntp_port;                    /* negotiated NTPv4 port, 0: none (123) */
    uint16_t cookie_len[MSG_NTS_COOKIES]; /* 1 .. MSG_NTS_COOKIE_LEN below ncookies, else 0 */
    uint8_t c2s[MSG_NTS_KEY_LEN], s2c[MSG_NTS_KEY_LEN];
    uint8_t cookies[MSG_NTS_COOKIES][MSG_NTS_COOKIE_LEN];
    char ntp_server[MSG_HOST_LEN]; /* negotiated NTPv4 server, "": the NTS-KE server's address */
    char reason[MSG_REASON_LEN];   /* why not MSG_NTSKE_OK, English */
};

struct msg_ntske_cookie_req {
    uint32_t id;    /* echoed in MSG_NTSKE_COOKIES */
    uint32_t count; /* 1 .. MSG_NTS_COOKIES */
    uint8_t c2s[MSG_NTS_KEY_LEN], s2c[MSG_NTS_KEY_LEN];
};

struct msg_ntske_cookies {
    uint32_t id;
    uint32_t count; /* 0 (the server has no cookie key yet) .. MSG_NTS_COOKIES */
    uint16_t cookie_len[MSG_NTS_COOKIES];
    uint8_t cookies[MSG_NTS_COOKIES][MSG_NTS_COOKIE_LEN];
};

/* What an NTS source is doing (msg_source_state.nts_state). */
enum msg_nts_state {
    MSG_NTS_NONE = 0,    /* not an NTS source */
    MSG_NTS_KE,          /* NTS-KE in progress */
    MSG_NTS_READY,       /* authenticated requests with cookies */
    MSG_NTS_FAILED,      /* the last NTS-KE failed: retried later, no request meanwhile */
    MSG_NTS_UNAVAILABLE, /* no NTS-KE process: no request without cookies */
};

/* Per-source state in a snapshot (display, control socket, future mode 6 and metrics). */
struct msg_source_state {
    uint32_t slot;
    uint8_t in_use;  /* 0: the rest is meaningless */
    uint8_t kind;    /* enum msg_source_kind */
    uint8_t tally;   /* ' ', 'x', '.', '-', '+', '*' */
    uint8_t reach;   /* reach register */
    uint8_t stratum; /* last stratum received */
    uint8_t leap;
    uint8_t ts_source; /* enum disc_ts_source of the last sample */
    uint8_t reason;    /* enum disc_reason */
    int8_t poll_log2;  /* poll exponent in use, log2 s */
    uint8_t prefer, noselect;
    uint8_t tx_source, rx_source; /* enum disc_ts_source of the last sample's t1 and t4 */
    uint8_t interleaved;          /* the last sample came from an interleaved reply */
    uint8_t pad[2];
    uint32_t server_refid; /* refid field of the last reply (host order) */
    uint32_t samples;
    uint32_t replies;                    /* replies received (SAMPLE messages) */
    uint32_t rejected[MSG_REJECT_COUNT]; /* enum msg_reject */
    uint32_t pad3;
    double offset_s, delay_s, jitter_s, dispersion_s, root_distance_s;
    double age_s; /* seconds since the last sample, -1: none */
    char name[MSG_NAME_LEN];
    char addr[MSG_ADDR_LEN];
    /* what mode 6 (ntpq) shows besides the above */
    uint16_t assoc_id;          /* association ID, 1..65535, unique among the sources in use */
    uint16_t ntpd_status;       /* ntpd's peer status word now (daemon/common/ntpd_status.h) */
    int8_t precision_log2;      /* the server's precision (last reply), -32..0 log2 s; 0 unknown */
    uint8_t pad2[3];            /* 0 */
    double server_root_delay_s; /* the server's root delay (last reply), 0..16 s */
    double server_root_dispersion_s; /* the server's root dispersion (last reply), 0..16 s */
    /* sourcestats (the source's filter): */
    double freq_ppm;    /* local oscillator error against this source, ppm */
    double freq_sd_ppm; /* its standard error (chronyc's skew), ppm */
    double offset_sd_s; /* standard error of offset_s, s */

    /* NTS, filled in by the network child (0 and MSG_NTS_NONE from the parent) */
    uint8_t nts_state;        /* enum msg_nts_state */
    uint8_t nts_cookies;      /* cookies held, 0 .. MSG_NTS_COOKIES */
    uint8_t nts_ke_status;    /* enum msg_ntske_status of the last NTS-KE session */
    uint8_t pad4;             /* 0 */
    uint32_t nts_ke_ok;       /* successful NTS-KE sessions */
    uint32_t nts_ke_failures; /* failed NTS-KE sessions */
    uint32_t nts_naks;        /* NTS NAKs received */
    double nts_ke_age_s;      /* s since the last successful NTS-KE, -1: none */
};

/* Why the parent asks for a burst. */
enum msg_burst_reason {
    MSG_BURST_VMCLOCK = 1,   /* the VMClock disruption marker changed (live migration, restore) */
    MSG_BURST_CLOCK_SET = 2, /* someone else set the clock (`date -s`) */
    MSG_BURST_RESUMED = 3,   /* the host was suspended */
};

struct msg_burst {
    uint32_t reason; /* enum msg_burst_reason */
    uint32_t pad;    /* 0 */
};

/* NTP server counters, filled in by the network child when it answers the control socket
 * (the parent leaves them zero). */
struct msg_server_counters {
    uint64_t served;         /* replies with the time */
    uint64_t limited;        /* requests over the rate limit */
    uint64_t kod_rate;       /* KoD RATE replies */
    uint64_t kod_deny;       /* KoD DENY replies */
    uint64_t denied;         /* refused by access control */
    uint64_t malformed;      /* not a valid NTP packet: dropped */
    uint64_t other_mode;     /* mode 6, 7 ...: no answer */
    uint64_t send_errors;    /* replies the kernel refused */
    uint64_t clients;        /* rate-limiting table entries in use */
    uint64_t evictions;      /* table entries reused for a new address */
    uint64_t mode6_answered; /* mode 6 (ntpq) requests answered */
    uint64_t mode6_refused;  /* mode 6 requests refused (access, rate, size) or mode 7 */
    uint64_t auth_ok;        /* requests signed with a trusted key */
    uint64_t auth_bad;       /* unknown key, bad MAC or crypto-NAK: dropped */
    uint64_t interleaved;    /* replies in interleaved mode (RFC 9769) */

    uint64_t nts_served;     /* NTS-authenticated replies (included in served) */
    uint64_t nts_naks;       /* NTS NAKs sent (cookies that do not open) */
    uint64_t nts_dropped;    /* NTS requests not authentic: dropped */
    uint64_t ntske_sessions; /* NTS-KE sessions given cookies by the network child */
};

/* Poll exponents a snapshot may carry (log2 s; the discipline's range with a margin). */
#define MSG_POLL_MIN_LOG2 (-8)
#define MSG_POLL_MAX_LOG2 24

enum msg_sync_state {
    MSG_SYNC_UNSYNCHRONISED = 0,
    MSG_SYNC_SYNCHRONISED = 1,
    MSG_SYNC_LOCAL = 2, /* no usable source: serving the local clock (local stratum N) */
};

struct msg_snapshot {
    uint32_t generation;   /* grows by one per snapshot */
    uint8_t sync_state;    /* enum msg_sync_state */
    uint8_t sync_reason;   /* enum disc_sync_reason */
    uint8_t leap;          /* LI a server reports */
    uint8_t stratum;       /* stratum a server reports (16 unsynchronised) */
    uint32_t refid;        /* refid a server reports (host order) */
    int32_t sys_peer_slot; /* -1: none */
    int32_t poll_log2;
    int32_t steps;
    int32_t nsources;
    int32_t unsync_for_s;           /* seconds without synchronisation (0 when synchronised) */
    struct msg_time ref_time;       /* last clock update */
    struct msg_time last_step_time; /* sec 0: never */
    struct msg_time now;            /* when this snapshot was made */
    double root_delay_s, root_dispersion_s;
    double offset_s, jitter_s;    /* system offset and jitter */
    double freq_ppm, freq_sd_ppm; /* frequency estimate (drift file value) */
    double applied_freq_ppm;      /* frequency handed to the clock */
    double last_step_s, refused_offset_s;
    double max_error_s;                /* maxerror given to the kernel */
    char driver[MSG_DRIVER_LEN];       /* clock driver name */
    char reason[MSG_REASON_LEN];       /* why not synchronised, English, "" when synchronised */
    struct msg_server_counters server; /* filled by the network child, 0 from the parent */
    struct msg_source_state sources[MSG_MAX_SOURCES];
    /* what mode 6 (ntpq) shows besides the above */
    uint16_t ntpd_status;    /* ntpd's system status word now (daemon/common/ntpd_status.h) */
    uint16_t sys_peer_assoc; /* association ID of the system peer, 0: none */
    int8_t min_poll_log2;    /* lowest configured minpoll (ntpd's mintc), log2 s */
    uint8_t leap_known;      /* 1: a leap-seconds file is loaded and the next fields are set */
    int16_t tai_offset_s;    /* TAI - UTC now, s (0..1000) */
    int64_t leap_last_s;     /* UTC (Unix) time of the newest leap second in the file */
    int64_t leap_expire_s;   /* expiry of the leap-seconds file, UTC (Unix) s */
};

/* Expected payload size of a type, 0 for an unknown type. */
size_t msg_payload_size(uint16_t type);

/*
 * Check a received datagram: header (version, known type, length == datagram size ==
 * header + payload size, reserved 0, seq == *expected_seq) and every payload field. On success
 * returns 0, advances *expected_seq and sets *payload. On failure returns -1 with a reason in
 * err (the caller logs it and treats the sender as broken).
 */
int msg_validate(const void *buf, size_t len, uint32_t *expected_seq, struct msg_header *hdr,
                 const void **payload, char *err, size_t errlen);

/* The payload checks of msg_validate() alone (p holds msg_payload_size(type) octets). The
 * network child runs them before sending, so what a hostile server sends becomes a dropped
 * reply, not a message that gets the child killed. 0 or -1 with a reason in err. */
int msg_check_payload(uint16_t type, const void *p, char *err, size_t errlen);

/* Send one message (header filled here; *seq is used then incremented). 0 or -1 (errno). */
int msg_send(int fd, uint16_t type, uint32_t *seq, const void *payload, size_t len);

/* msg_send() with a file descriptor attached (SCM_RIGHTS). */
int msg_send_fd(int fd, uint16_t type, uint32_t *seq, const void *payload, size_t len, int pass_fd);

/* Receive one datagram without blocking, with at most one descriptor (SCM_RIGHTS, close-on-
 * exec) in *pass_fd (-1: none). Returns its length, 0 at EOF, or -1 with errno (EAGAIN: none
 * waiting; EMSGSIZE: truncated, the descriptor closed). */
ssize_t msg_recv_fd(int fd, void *buf, size_t len, int *pass_fd);

/* Conversions between struct timespec / struct clk_map and their wire forms. */
struct msg_time msg_time_from_timespec(struct timespec ts);
struct timespec msg_time_to_timespec(struct msg_time t);
void msg_clock_map_from_clk(const struct clk_map *map, struct msg_clock_map *out);
void msg_clock_map_to_clk(const struct msg_clock_map *in, struct clk_map *map);

/* A child without a message channel of its own (the resolver, a server worker) logs through a
 * socket to the parent: its lines become MSG_LOG datagrams on fd (their own sequence from 1),
 * prefixed with tag ("" for none), sent without blocking (a line the parent has no room for
 * is dropped); its log destination is closed (log_detach()). */
void msg_forward_log_to(int fd, const char *tag);

/* Copy a string into a fixed array, truncating, replacing non-printable octets by '?'. */
void msg_copy_str(char *dst, size_t dstlen, const char *src);

#endif
