// SPDX-License-Identifier: ISC
/* Internals of mode 6 shared by mode6.c (packets) and mode6_vars.c (variables). */
#ifndef TSYNC_DAEMON_MODE6_INT_H
#define TSYNC_DAEMON_MODE6_INT_H

#include "daemon/server/mode6.h"

#define M6_ITEM_MAX 160 /* longest "name=value" item */
#define M6_NAME_MAX 32  /* longest variable name in a request */

/* One response being built. */
struct m6_builder {
    const struct m6_context *ctx;
    struct m6_response *out;
    struct ntp_ctl_header req;
    const uint8_t *data;         /* the request's data (req.count octets) */
    uint8_t leap;                /* LI of every response packet: the system's */
    uint16_t status;             /* status field of the response */
    int cur;                     /* packet being filled */
    size_t used[M6_MAX_PACKETS]; /* data octets in each packet */
    size_t line_len;             /* characters on the current text line */
    int items;                   /* text items so far */
    bool binary;                 /* READSTAT data: no separators, no final CR LF */
    bool overflow;               /* the answer did not fit in M6_MAX_PACKETS packets */
    bool is_error;               /* an error response with code error */
    uint8_t error;               /* enum m6_error */
};

/* Appends one "name=value" item (with ntpd's separators and line breaks) / binary data. False
 * when the response is full (overflow is then set). */
bool m6_put_item(struct m6_builder *b, const char *item);
bool m6_put_binary(struct m6_builder *b, const void *data, size_t n);
/* Turns the response into an error response with code e. */
void m6_set_error(struct m6_builder *b, enum m6_error e);

/* The system status word (from the snapshot; unsynchronised without one). */
uint16_t m6_system_status(const struct m6_context *ctx);
/* READSTAT and READVAR for b->req. */
void m6_read_status(struct m6_builder *b);
void m6_read_variables(struct m6_builder *b);

#endif
