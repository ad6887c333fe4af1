// SPDX-License-Identifier: ISC
/*
 * The HTTP/1.x request parser of the metrics listener (prefix http_): pure, no I/O. It reads
 * what a client sent so far and says whether the request head (request line and headers, up to
 * the empty line) is complete, still incomplete, or malformed. Bodies are not read (a GET has
 * none). Anything unusual is malformed: this parser only has to understand scrapers.
 */
#ifndef TSYNC_DAEMON_HTTP_H
#define TSYNC_DAEMON_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#define HTTP_MAX_REQUEST 4096 /* octets of a request head; more is refused (431) */
#define HTTP_METHOD_LEN  16
#define HTTP_PATH_LEN    256

enum http_parse {
    HTTP_INCOMPLETE, /* no empty line yet: read more (if the buffer still has room) */
    HTTP_COMPLETE,   /* *req is filled */
    HTTP_BAD,        /* not an HTTP/1.0 or 1.1 request head */
};

struct http_request {
    char method[HTTP_METHOD_LEN]; /* token, e.g. "GET" */
    char path[HTTP_PATH_LEN];     /* the target without its query ("/metrics" of "/metrics?x") */
    int minor_version;            /* 0 or 1 */
    size_t head_len;              /* octets up to and including the empty line */
};

/* Parse buf[0..len). HTTP_BAD as soon as what was read cannot start a valid request (a bad
 * request line, a header line without a name and a colon, control characters, a NUL). */
enum http_parse http_parse_request(const char *buf, size_t len, struct http_request *req);

/* The status to answer a complete request with: 200 for GET /metrics, else 404. */
int http_status(const struct http_request *req);

#endif
