// SPDX-License-Identifier: ISC
/*
 * ntpload: an open-loop NTP load generator for benchmarks on loopback or in namespaces.
 *
 * Sends NTPv4 mode 3 requests at a fixed rate (requests are due at t0 + i / rate whatever the
 * replies do) from many source ports, with sendmmsg() and recvmmsg(), bounded in count (-n) and
 * time (-t). Each request's transmit timestamp is a cookie (a random run key and the request's
 * number); a reply counts as valid when it is a 48-octet mode 4 packet whose origin timestamp is
 * the cookie of a request sent and not yet answered. Requests go out in batches of BATCH (a
 * request waits at most MAX_DELAY_NS for its batch to fill). Latency is the time from the
 * batch's send to the reply's receipt (the time read after recvmmsg()).
 *
 * Output: one line of key=value pairs (sent, valid, kod, invalid, loss_pct, send_rate, p50_us,
 * p99_us, max_us). send_rate below the rate asked means the generator itself saturated.
 *
 * Usage: ntpload -s ADDR -P PORT -r RATE [-n COUNT] [-t MAX_S] [-p PORTS] [-w WAIT_S]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_PORTS    1024
#define BATCH        32
#define MAX_COUNT    (50u * 1000 * 1000)
#define HIST_US      100000 /* latency histogram: 1 us buckets up to 100 ms */
#define PKT_LEN      48
#define SOCK_BUF     (4 << 20)
#define IDLE_NS      20000  /* sleep when nothing is due and nothing arrived */
#define MAX_DELAY_NS 200000 /* a due request waits at most this long for its batch to fill */

struct opts {
    const char *addr;
    unsigned port;
    double rate;    /* requests per second */
    uint32_t count; /* requests to send */
    double max_s;   /* give up after this long in total */
    int ports;      /* source ports (sockets) */
    double wait_s;  /* wait for late replies after the last request */
};

struct run {
    struct opts o;
    int fds[MAX_PORTS];
    int epfd;
    uint32_t key; /* high half of every cookie */
    uint64_t *sent_ns;
    uint8_t *answered;
    uint32_t sent, valid, kod, invalid;
    uint64_t *hist; /* latency in us, HIST_US + 1 buckets (last: overflow) */
    uint64_t max_ns;
    uint8_t tx[BATCH][PKT_LEN];
    uint8_t rx[BATCH][PKT_LEN + 16];
};

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void usage(void)
{
    fprintf(stderr, "usage: ntpload -s ADDR -P PORT -r RATE [-n COUNT] [-t MAX_S] [-p PORTS] "
                    "[-w WAIT_S]\n");
    exit(2);
}

static void parse_opts(int argc, char **argv, struct opts *o)
{
    int c;

    *o = (struct opts){.addr = "127.0.0.1",
                       .port = 123,
                       .rate = 1000,
                       .count = 10000,
                       .max_s = 30,
                       .ports = 64,
                       .wait_s = 0.5};
    while ((c = getopt(argc, argv, "s:P:r:n:t:p:w:")) != -1) {
        switch (c) {
        case 's':
            o->addr = optarg;
            break;
        case 'P':
            o->port = (unsigned)atoi(optarg);
            break;
        case 'r':
            o->rate = atof(optarg);
            break;
        case 'n':
            o->count = (uint32_t)strtoul(optarg, NULL, 10);
            break;
        case 't':
            o->max_s = atof(optarg);
            break;
        case 'p':
            o->ports = atoi(optarg);
            break;
        case 'w':
            o->wait_s = atof(optarg);
            break;
        default:
            usage();
        }
    }
    if (o->rate <= 0 || o->count == 0 || o->count > MAX_COUNT || o->ports < 1 ||
        o->ports > MAX_PORTS || o->port == 0 || o->port > 65535 || o->max_s <= 0)
        usage();
}

static int open_socket(struct run *r, const struct sockaddr_in *dst)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0), size = SOCK_BUF;

    if (fd < 0)
        return -1;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size));
    setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size));
    if (connect(fd, (const struct sockaddr *)dst, sizeof(*dst)) < 0) {
        close(fd);
        return -1;
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
    return epoll_ctl(r->epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -1 : fd;
}

static int setup(struct run *r)
{
    struct sockaddr_in dst = {.sin_family = AF_INET, .sin_port = htons((uint16_t)r->o.port)};

    if (inet_pton(AF_INET, r->o.addr, &dst.sin_addr) != 1) {
        fprintf(stderr, "ntpload: bad IPv4 address %s\n", r->o.addr);
        return -1;
    }
    if (getrandom(&r->key, sizeof(r->key), 0) != sizeof(r->key))
        r->key = (uint32_t)now_ns();
    r->sent_ns = calloc(r->o.count, sizeof(*r->sent_ns));
    r->answered = calloc(r->o.count, 1);
    r->hist = calloc(HIST_US + 1, sizeof(*r->hist));
    r->epfd = epoll_create1(0);
    if (r->sent_ns == NULL || r->answered == NULL || r->hist == NULL || r->epfd < 0)
        return -1;
    for (int i = 0; i < r->o.ports; i++) {
        if ((r->fds[i] = open_socket(r, &dst)) < 0) {
            perror("ntpload: socket");
            return -1;
        }
    }
    return 0;
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int b = 0; b < 8; b++)
        p[b] = (uint8_t)(v >> (56 - 8 * b));
}

static uint64_t get64(const uint8_t *p)
{
    uint64_t v = 0;

    for (int b = 0; b < 8; b++)
        v = v << 8 | p[b];
    return v;
}

/* Send n requests (numbers r->sent ...) on socket fd in one sendmmsg(). */
static void send_batch(struct run *r, int fd, uint32_t n)
{
    struct mmsghdr m[BATCH];
    struct iovec iov[BATCH];
    uint64_t t = now_ns();
    int done;

    memset(m, 0, sizeof(m));
    for (uint32_t i = 0; i < n; i++) {
        memset(r->tx[i], 0, PKT_LEN);
        r->tx[i][0] = 4 << 3 | 3; /* LI 0, VN 4, mode 3 */
        put64(r->tx[i] + 40, (uint64_t)r->key << 32 | (r->sent + i));
        iov[i] = (struct iovec){r->tx[i], PKT_LEN};
        m[i].msg_hdr.msg_iov = &iov[i];
        m[i].msg_hdr.msg_iovlen = 1;
    }
    done = sendmmsg(fd, m, n, 0);
    (void)done; /* requests the kernel refused (full buffer) count as sent and lost */
    for (uint32_t i = 0; i < n; i++)
        r->sent_ns[r->sent + i] = t;
    r->sent += n;
}

static void account_reply(struct run *r, const uint8_t *p, unsigned len, uint64_t t)
{
    uint64_t origin = get64(p + 24);
    uint32_t seq = (uint32_t)origin;

    if (len != PKT_LEN || (p[0] & 7) != 4 || (uint32_t)(origin >> 32) != r->key || seq >= r->sent ||
        r->answered[seq]) {
        r->invalid++;
        return;
    }
    r->answered[seq] = 1;
    if (p[1] == 0) { /* stratum 0: a Kiss-o'-Death */
        r->kod++;
        return;
    }
    uint64_t lat = t - r->sent_ns[seq];
    r->valid++;
    r->hist[lat / 1000 < HIST_US ? lat / 1000 : HIST_US]++;
    if (lat > r->max_ns)
        r->max_ns = lat;
}

static int receive(struct run *r)
{
    struct epoll_event ev[64];
    struct mmsghdr m[BATCH];
    struct iovec iov[BATCH];
    int nev = epoll_wait(r->epfd, ev, 64, 0), got = 0;

    for (int e = 0; e < nev; e++) {
        int n;

        memset(m, 0, sizeof(m));
        for (int i = 0; i < BATCH; i++) {
            iov[i] = (struct iovec){r->rx[i], sizeof(r->rx[i])};
            m[i].msg_hdr.msg_iov = &iov[i];
            m[i].msg_hdr.msg_iovlen = 1;
        }
        n = recvmmsg(ev[e].data.fd, m, BATCH, MSG_DONTWAIT, NULL);
        if (n <= 0)
            continue;
        uint64_t t = now_ns();
        for (int i = 0; i < n; i++)
            account_reply(r, r->rx[i], m[i].msg_len, t);
        got += n;
    }
    return got;
}

static double percentile_us(const struct run *r, double q)
{
    uint64_t want = (uint64_t)(q * r->valid), acc = 0;

    for (int i = 0; i <= HIST_US; i++) {
        acc += r->hist[i];
        if (acc > want)
            return i + 0.5;
    }
    return HIST_US;
}

static void run_load(struct run *r)
{
    uint64_t t0 = now_ns(), deadline = t0 + (uint64_t)(r->o.max_s * 1e9), last_send = 0;
    uint64_t interval_ns = (uint64_t)(1e9 / r->o.rate);
    int next_port = 0;

    for (;;) {
        uint64_t t = now_ns();
        bool busy = false;

        if (t >= deadline)
            break;
        if (r->sent < r->o.count) {
            uint64_t due = (uint64_t)((double)(t - t0) * r->o.rate / 1e9) + 1;
            if (due > r->o.count)
                due = r->o.count;
            uint64_t pending = due - (due > r->sent ? r->sent : due);
            uint64_t first_due = t0 + (uint64_t)r->sent * interval_ns;
            /* full batches at high rates; a late request goes out after MAX_DELAY_NS anyway */
            if (pending >= BATCH || pending == r->o.count - r->sent ||
                (pending > 0 && t - first_due > MAX_DELAY_NS)) {
                uint32_t n = pending < BATCH ? (uint32_t)pending : BATCH;
                send_batch(r, r->fds[next_port], n);
                next_port = (next_port + 1) % r->o.ports;
                last_send = now_ns();
                busy = true;
            }
        } else if (r->valid + r->kod + r->invalid >= r->sent ||
                   t - last_send > (uint64_t)(r->o.wait_s * 1e9)) {
            break;
        }
        if (receive(r) > 0)
            busy = true;
        if (!busy && interval_ns > 2 * IDLE_NS) {
            struct timespec idle = {0, IDLE_NS};
            nanosleep(&idle, NULL);
        }
    }
    double send_s = (double)(last_send - t0) / 1e9;
    printf("sent=%u valid=%u kod=%u invalid=%u loss_pct=%.3f send_rate=%.0f p50_us=%.1f "
           "p99_us=%.1f max_us=%.1f\n",
           r->sent, r->valid, r->kod, r->invalid,
           r->sent ? 100.0 * (r->sent - r->valid - r->kod) / r->sent : 0.0,
           send_s > 0 ? r->sent / send_s : 0.0, percentile_us(r, 0.5), percentile_us(r, 0.99),
           r->max_ns / 1e3);
}

int main(int argc, char **argv)
{
    static struct run r;

    parse_opts(argc, argv, &r.o);
    if (setup(&r) < 0)
        return 1;
    run_load(&r);
    return 0;
}
