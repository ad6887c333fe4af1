// SPDX-License-Identifier: ISC
/*
 * The NTS server's cookie keys in the parent (prefix parent_nts_): the parent is their durable
 * owner because it is the only process that writes files. It reads the key file at start (as
 * root: it must be a regular file readable by its owner only), makes a new key every
 * `ntsrotate` seconds (getrandom; NTS_SERVER_KEYS kept), writes the file atomically through
 * the directory it opened before the chroot (mode 0600, owned by the daemon's user), and sends
 * the ring (MSG_NTS_KEYS) to every network child after its HELLO and after every rotation.
 * The parent does no cryptography with them and never links a TLS library.
 *
 * Why the network child, not the NTS-KE process, uses them: the network child must open the
 * cookie of every NTS request anyway, so it also seals the cookies NTS-KE hands out (on the
 * NTS-KE process's request, MSG_NTSKE_COOKIE_REQ). A TLS bug in the NTS-KE process therefore
 * never yields the keys that open every client's cookies.
 */
#ifndef TSYNC_PARENT_NTS_H
#define TSYNC_PARENT_NTS_H

#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>

#include "daemon/config/config.h"
#include "daemon/nts/nts_keys.h"
#include "daemon/parent/parent.h"

/* The flags of the key file's temporary file, opened in dirfd (the parent's sandbox allows
 * exactly these there, with rename and unlink). */
#define NTS_KEYS_TEMP_OPEN_FLAGS (O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC)

struct parent_nts {
    bool enabled; /* the NTS-KE server is configured */
    struct nts_keyring ring;
    int dirfd;       /* the key file's directory, opened before the chroot; -1: none */
    char name[256];  /* the key file's name in it */
    char path[4096]; /* for messages */
    double rotate_s;
    bool dirty; /* the ring changed since it was written */
    bool sent;  /* the current child has the current ring */
};

/* While privileged: read the key file (a missing one is created at the first tick), open its
 * directory. -1 with err for an unsafe or unreadable file or directory. */
int parent_nts_init(struct parent_nts *n, const struct cfg *cfg, char *err, size_t errlen);

/* Rotate when due, write the file when it changed, send the ring to a child that lacks it.
 * Returns seconds until it wants to run again. */
double parent_nts_tick(struct parent_nts *n, struct parent *p);

void parent_nts_close(struct parent_nts *n);

#endif
