// SPDX-License-Identifier: ISC
/* The NTS server's cookie key ring and its file format (nts_keys.h). */
#include "daemon/nts/nts_keys.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HEADER "tsyncd-nts-keys 1"

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Exactly 2 * n hex digits into out. */
static bool parse_hex(const char *s, size_t len, uint8_t *out, size_t n)
{
    if (len != 2 * n)
        return false;
    for (size_t i = 0; i < n; i++) {
        int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return true;
}

/* "key ID CREATED KEY" into *k. */
static bool parse_key_line(const char *line, struct nts_server_key *k)
{
    char id[16], key[80];
    long long created;
    uint8_t idb[4];
    int end = 0;

    if (sscanf(line, "key %15s %lld %79s%n", id, &created, key, &end) != 3 || line[end] != '\0' ||
        created < 0 || !parse_hex(id, strlen(id), idb, 4) ||
        !parse_hex(key, strlen(key), k->key, NTS_SERVER_KEY_LEN))
        return false;
    k->id = (uint32_t)idb[0] << 24 | (uint32_t)idb[1] << 16 | (uint32_t)idb[2] << 8 | idb[3];
    k->created = created;
    return true;
}

/* One line (NUL-terminated, without its newline) of the file. */
static int parse_line(const char *line, unsigned no, bool *header, struct nts_keyring *out,
                      char *err, size_t errlen)
{
    struct nts_server_key k;

    if (line[0] == '#' || line[strspn(line, " \t")] == '\0')
        return 0;
    if (!*header) {
        if (strcmp(line, HEADER) != 0)
            return fail(err, errlen, "line %u: not a tsyncd NTS key file (\"%s\" expected)", no,
                        HEADER);
        *header = true;
        return 0;
    }
    if (!parse_key_line(line, &k))
        return fail(err, errlen, "line %u: malformed key line", no);
    if (nts_keys_find(out, k.id) != NULL)
        return fail(err, errlen, "line %u: key id %08" PRIx32 " repeated", no, k.id);
    nts_keys_add(out, k.id, k.key, k.created);
    return 0;
}

int nts_keys_parse(const char *text, size_t len, struct nts_keyring *out, char *err, size_t errlen)
{
    char line[256];
    size_t pos = 0;
    unsigned no = 0;
    bool header = false;

    memset(out, 0, sizeof(*out));
    if (len > NTS_KEYS_FILE_MAX)
        return fail(err, errlen, "longer than %d octets", NTS_KEYS_FILE_MAX);
    while (pos < len) {
        size_t n = 0;

        no++;
        while (pos < len && text[pos] != '\n') {
            if (n + 1 >= sizeof(line) || text[pos] == '\0')
                return fail(err, errlen, "line %u: too long or not text", no);
            line[n++] = text[pos++];
        }
        line[n] = '\0';
        pos++; /* the newline */
        if (parse_line(line, no, &header, out, err, errlen) < 0)
            return -1;
    }
    if (!header || out->n == 0)
        return fail(err, errlen, "no key");
    return 0;
}

int nts_keys_format(const struct nts_keyring *kr, char *buf, size_t cap)
{
    size_t at;
    int n = snprintf(buf, cap, "# tsyncd NTS cookie keys: secret, readable by tsyncd only\n%s\n",
                     HEADER);

    if (n < 0 || (size_t)n >= cap)
        return -1;
    at = (size_t)n;
    for (unsigned i = 0; i < kr->n; i++) {
        const struct nts_server_key *k = &kr->keys[i];

        n = snprintf(buf + at, cap - at, "key %08" PRIx32 " %" PRId64 " ", k->id, k->created);
        if (n < 0 || (size_t)n >= cap - at || cap - at - (size_t)n < 2 * NTS_SERVER_KEY_LEN + 2)
            return -1;
        at += (size_t)n;
        for (int b = 0; b < NTS_SERVER_KEY_LEN; b++, at += 2)
            snprintf(buf + at, 3, "%02x", k->key[b]);
        buf[at++] = '\n';
        buf[at] = '\0';
    }
    return (int)at;
}

void nts_keys_add(struct nts_keyring *kr, uint32_t id, const uint8_t key[NTS_SERVER_KEY_LEN],
                  int64_t created)
{
    if (kr->n == NTS_SERVER_KEYS) {
        memmove(&kr->keys[0], &kr->keys[1], (NTS_SERVER_KEYS - 1) * sizeof(kr->keys[0]));
        kr->n--;
    }
    kr->keys[kr->n].id = id;
    kr->keys[kr->n].created = created;
    memcpy(kr->keys[kr->n].key, key, NTS_SERVER_KEY_LEN);
    kr->n++;
}

double nts_keys_rotation_due(const struct nts_keyring *kr, double rotate_s, int64_t now)
{
    if (kr->n == 0)
        return 0;
    int64_t created = kr->keys[kr->n - 1].created;
    if (created > now)
        return 0;
    return (double)created + rotate_s - (double)now;
}

const struct nts_server_key *nts_keys_find(const struct nts_keyring *kr, uint32_t id)
{
    for (unsigned i = 0; i < kr->n; i++) {
        if (kr->keys[i].id == id)
            return &kr->keys[i];
    }
    return NULL;
}
