// SPDX-License-Identifier: ISC
// fuzz-sources: daemon/nts/ntske_records.c
/*
 * libFuzzer target for NTS-KE records (RFC 8915 section 4): what a hostile NTS-KE server sends
 * the NTS-KE process (responses) and what a hostile client sends its server side (requests).
 * The decoders must never read out of bounds, and what they accept must hold what the callers
 * rely on (cookie counts and lengths in range, a terminated printable server name).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/nts/ntske_records.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_response(const struct ntske_response *r)
{
    if (r->ncookies == 0 || r->ncookies > NTS_MAX_COOKIES)
        abort();
    for (unsigned i = 0; i < r->ncookies; i++) {
        if (r->cookie_len[i] == 0 || r->cookie_len[i] > NTS_COOKIE_MAX)
            abort();
    }
    if (memchr(r->server, 0, sizeof(r->server)) == NULL)
        abort();
    for (size_t i = 0; r->server[i] != '\0'; i++) {
        if (r->server[i] <= ' ' || r->server[i] > '~')
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct ntske_response r;
    struct ntske_request q;
    uint8_t out[4096];
    char err[160];
    long n = ntske_message_length(data, size);

    if (n > 0 && (size_t)n > size)
        abort();
    if (ntske_decode_response(data, size, &r, err, sizeof(err)) == 0) {
        check_response(&r);
        /* what was accepted encodes again (as a server would send it) and decodes the same */
        int len = ntske_encode_response(&r, out, sizeof(out));
        static struct ntske_response back;
        if (len > 0 && (ntske_decode_response(out, (size_t)len, &back, err, sizeof(err)) != 0 ||
                        back.ncookies != r.ncookies))
            abort();
    }
    if (ntske_decode_request(data, size, &q, err, sizeof(err)) == 0 &&
        (q.error < -1 || q.error > NTSKE_ERR_INTERNAL))
        abort();
    return 0;
}
