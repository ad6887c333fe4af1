// SPDX-License-Identifier: ISC
// fuzz-sources: daemon/control/http.c
/*
 * libFuzzer target for the metrics listener's HTTP request parser: what any local (or, with
 * `metrics ADDRESS`, remote) client can send the sandboxed network child. http_parse_request()
 * must never read outside its buffer, and what it accepts must be a terminated method and path
 * with a head length inside the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/control/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct http_request req;
    char *copy;
    size_t len = size > HTTP_MAX_REQUEST ? HTTP_MAX_REQUEST : size;

    /* an exact-size heap copy: ASan sees any read past the end */
    copy = malloc(len > 0 ? len : 1);
    if (copy == NULL)
        return 0;
    memcpy(copy, data, len);
    if (http_parse_request(copy, len, &req) == HTTP_COMPLETE) {
        if (req.head_len == 0 || req.head_len > len ||
            memchr(req.method, 0, sizeof(req.method)) == NULL ||
            memchr(req.path, 0, sizeof(req.path)) == NULL || req.path[0] != '/' ||
            (req.minor_version != 0 && req.minor_version != 1))
            abort();
        (void)http_status(&req);
    }
    free(copy);
    return 0;
}
