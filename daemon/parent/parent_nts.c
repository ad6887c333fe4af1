// SPDX-License-Identifier: ISC
/* The NTS server's cookie keys in the parent (parent_nts.h). */
#include "daemon/parent/parent_nts.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "daemon/common/log.h"

#define IDLE_S 3600.0 /* tick interval when nothing is due */

static int read_file(struct parent_nts *n, char *err, size_t errlen)
{
    char text[NTS_KEYS_FILE_MAX + 1], why[160];
    struct stat st;
    ssize_t len;
    int fd = openat(n->dirfd, n->name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

    if (fd < 0 && errno == ENOENT)
        return 0; /* first start: keys are made at the first tick */
    if (fd < 0) {
        snprintf(err, errlen, "NTS cookie keys %s: %s", n->path, strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (st.st_mode & 077) != 0) {
        snprintf(err, errlen,
                 "NTS cookie keys %s: not a regular file readable by its owner "
                 "only (chmod 600 it)",
                 n->path);
        close(fd);
        return -1;
    }
    len = read(fd, text, sizeof(text));
    close(fd);
    if (len < 0 || nts_keys_parse(text, (size_t)len, &n->ring, why, sizeof(why)) < 0) {
        snprintf(err, errlen, "NTS cookie keys %s: %s", n->path, len < 0 ? strerror(errno) : why);
        return -1;
    }
    log_info("NTS: %u cookie keys read from %s", n->ring.n, n->path);
    return 0;
}

int parent_nts_init(struct parent_nts *n, const struct cfg *cfg, char *err, size_t errlen)
{
    const char *path = cfg->nts_cookie_file ? cfg->nts_cookie_file : CFG_DEFAULT_NTS_KEYS;
    char dir[sizeof(n->path)], base[sizeof(n->path)];

    memset(n, 0, sizeof(*n));
    n->dirfd = -1;
    if (!cfg_nts_server(cfg))
        return 0;
    n->enabled = true;
    n->rotate_s = cfg->nts_rotate_s;
    snprintf(n->path, sizeof(n->path), "%s", path);
    snprintf(dir, sizeof(dir), "%s", path);
    snprintf(base, sizeof(base), "%s", path);
    snprintf(n->name, sizeof(n->name), "%s", basename(base));
    n->dirfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (n->dirfd < 0) {
        snprintf(err, errlen, "NTS cookie keys %s: its directory: %s", path, strerror(errno));
        return -1;
    }
    return read_file(n, err, errlen);
}

void parent_nts_close(struct parent_nts *n)
{
    if (n->dirfd >= 0)
        close(n->dirfd);
    n->dirfd = -1;
}

static void rotate(struct parent_nts *n, int64_t now)
{
    uint8_t key[NTS_SERVER_KEY_LEN];
    uint32_t id;

    do {
        if (getrandom(&id, sizeof(id), 0) != sizeof(id) ||
            getrandom(key, sizeof(key), 0) != sizeof(key)) {
            log_err("NTS: no randomness for a new cookie key");
            return;
        }
    } while (nts_keys_find(&n->ring, id) != NULL);
    nts_keys_add(&n->ring, id, key, now);
    memset(key, 0, sizeof(key));
    n->dirty = true;
    n->sent = false;
    log_info("NTS: new cookie key %08x", id);
}

/* Atomically: a temporary file (0600, O_EXCL), fsync, rename, fsync the directory. */
static int write_file(struct parent_nts *n, char *err, size_t errlen)
{
    char text[NTS_KEYS_FILE_MAX], tmp[sizeof(n->name) + 32];
    uint32_t r = 0;
    int len = nts_keys_format(&n->ring, text, sizeof(text)), fd;

    getrandom(&r, sizeof(r), 0);
    snprintf(tmp, sizeof(tmp), ".%s.%08x", n->name, r);
    fd = openat(n->dirfd, tmp, NTS_KEYS_TEMP_OPEN_FLAGS, 0600);
    if (len < 0 || fd < 0) {
        snprintf(err, errlen, "%s", fd < 0 ? strerror(errno) : "keys do not fit");
        if (fd >= 0)
            close(fd);
        return -1;
    }
    if (write(fd, text, (size_t)len) != len || fsync(fd) < 0 || close(fd) < 0 ||
        renameat(n->dirfd, tmp, n->dirfd, n->name) < 0) {
        snprintf(err, errlen, "%s", strerror(errno));
        unlinkat(n->dirfd, tmp, 0);
        return -1;
    }
    fsync(n->dirfd);
    memset(text, 0, sizeof(text));
    return 0;
}

static void send_ring(struct parent_nts *n, struct parent *p)
{
    struct msg_nts_keys m;

    memset(&m, 0, sizeof(m));
    m.count = n->ring.n;
    for (unsigned i = 0; i < n->ring.n; i++) {
        m.keys[i].id = n->ring.keys[i].id;
        m.keys[i].created = n->ring.keys[i].created;
        memcpy(m.keys[i].key, n->ring.keys[i].key, MSG_NTS_KEY_LEN);
    }
    n->sent = chan_send(p->child, MSG_NTS_KEYS, &p->tx_seq, &m, sizeof(m)) == 0;
    memset(&m, 0, sizeof(m));
}

double parent_nts_tick(struct parent_nts *n, struct parent *p)
{
    int64_t wall = (int64_t)time(NULL);
    double due;
    char err[160];

    if (!n->enabled)
        return IDLE_S;
    if (n->ring.n == 0 ||
        (n->rotate_s > 0 && nts_keys_rotation_due(&n->ring, n->rotate_s, wall) <= 0))
        rotate(n, wall);
    if (n->dirty && write_file(n, err, sizeof(err)) < 0) /* tried again at the next rotation */
        log_err("NTS: cannot write the cookie keys to %s (%s): cookies will not survive a "
                "restart",
                n->path, err);
    n->dirty = false;
    if (p->child == NULL || !p->hello_seen)
        n->sent = false;
    else if (!n->sent)
        send_ring(n, p);
    due = n->rotate_s > 0 ? nts_keys_rotation_due(&n->ring, n->rotate_s, wall) : IDLE_S;
    return due < 1 ? 1 : due < IDLE_S ? due : IDLE_S;
}
