// SPDX-License-Identifier: ISC
/* Mode 6 requests and responses (see mode6.h); the variables are in mode6_vars.c. */
#include "daemon/server/mode6.h"

#include <string.h>

#include "daemon/server/mode6_int.h"

#define TEXT_END "\r\n" /* ntpd ends the text with a line break */

bool m6_is_request(const uint8_t *buf, size_t len)
{
    return len >= 2 && (buf[0] & 7) == NTP_MODE_CONTROL && !(buf[1] & 0x80);
}

size_t m6_response_octets(const struct m6_response *r)
{
    size_t n = 0;

    for (int i = 0; i < r->n; i++)
        n += r->len[i];
    return n;
}

/* ---- packets ------------------------------------------------------------------------------ */

static void put_header(struct m6_builder *b, int i, bool more, uint16_t offset, size_t count)
{
    struct ntp_ctl_header h = {
        .leap = b->leap,
        .version = b->req.version,
        .response = true,
        .error = b->is_error,
        .more = more,
        .opcode = b->req.opcode,
        .sequence = b->req.sequence,
        .status = b->is_error ? (uint16_t)(b->error << 8) : b->status,
        .assoc_id = b->req.assoc_id,
        .offset = offset,
        .count = (uint16_t)count,
    };
    size_t padded = (NTP_CTL_HEADER_LEN + count + 3) & ~(size_t)3;

    ntp_ctl_encode(&h, b->out->pkt[i], M6_PACKET_LEN);
    memset(b->out->pkt[i] + NTP_CTL_HEADER_LEN + count, 0, padded - NTP_CTL_HEADER_LEN - count);
    b->out->len[i] = padded;
}

/* Appends raw octets to the data, starting a new packet when they do not fit (the chunk is
 * kept whole). False when the response would exceed M6_MAX_PACKETS packets. */
static bool put_chunk(struct m6_builder *b, const void *data, size_t n)
{
    size_t room = NTP_CTL_MAX_DATA - strlen(TEXT_END);

    if (b->used[b->cur] + n > room) {
        if (b->cur + 1 >= M6_MAX_PACKETS || n > room)
            return false;
        b->cur++;
    }
    memcpy(b->out->pkt[b->cur] + NTP_CTL_HEADER_LEN + b->used[b->cur], data, n);
    b->used[b->cur] += n;
    return true;
}

bool m6_put_item(struct m6_builder *b, const char *item)
{
    char chunk[M6_ITEM_MAX + 4];
    size_t n = strlen(item), k = 0;

    if (b->items > 0) {
        chunk[k++] = ',';
        b->line_len++;
        if (b->line_len + n + 1 >= M6_LINE_MAX) {
            chunk[k++] = '\r';
            chunk[k++] = '\n';
            b->line_len = 0;
        } else {
            chunk[k++] = ' ';
            b->line_len++;
        }
    }
    if (n > M6_ITEM_MAX)
        n = M6_ITEM_MAX;
    memcpy(chunk + k, item, n);
    if (!put_chunk(b, chunk, k + n)) {
        b->overflow = true;
        return false;
    }
    b->line_len += n;
    b->items++;
    return true;
}

bool m6_put_binary(struct m6_builder *b, const void *data, size_t n)
{
    b->binary = true;
    if (!put_chunk(b, data, n)) {
        b->overflow = true;
        return false;
    }
    return true;
}

void m6_set_error(struct m6_builder *b, enum m6_error e)
{
    b->error = (uint8_t)e;
    b->is_error = true;
}

/* Lays the packets out: headers, offsets, padding. An error is one packet without data and
 * with the code in the status field, as ntpd's ctl_error() sends it. */
static void finish(struct m6_builder *b)
{
    uint16_t offset = 0;

    if (b->is_error) {
        memset(b->used, 0, sizeof(b->used));
        b->cur = 0;
    } else if (!b->binary && b->items > 0) {
        memcpy(b->out->pkt[b->cur] + NTP_CTL_HEADER_LEN + b->used[b->cur], TEXT_END,
               strlen(TEXT_END));
        b->used[b->cur] += strlen(TEXT_END);
    }
    b->out->n = b->cur + 1;
    for (int i = 0; i < b->out->n; i++) {
        put_header(b, i, i + 1 < b->out->n, offset, b->used[i]);
        offset = (uint16_t)(offset + b->used[i]);
    }
}

/* ---- requests ----------------------------------------------------------------------------- */

static void answer_opcode(struct m6_builder *b)
{
    switch (b->req.opcode) {
    case M6_OP_READSTAT:
        m6_read_status(b);
        break;
    case M6_OP_READVAR:
        m6_read_variables(b);
        break;
    case M6_OP_WRITEVAR:
    case M6_OP_WRITECLOCK:
    case M6_OP_SETTRAP:
    case M6_OP_CONFIGURE:
    case M6_OP_SAVECONFIG:
    case M6_OP_READ_MRU:
    case M6_OP_READ_ORDLIST_A:
    case M6_OP_REQ_NONCE:
    case M6_OP_UNSETTRAP:
        m6_set_error(b, M6_ERR_PERMISSION); /* never written, no MRU list: as unauthorised */
        break;
    default:
        m6_set_error(b, M6_ERR_BADOP);
        break;
    }
}

void m6_answer(const uint8_t *buf, size_t len, const struct m6_context *ctx,
               struct m6_response *out)
{
    struct m6_builder b;
    int rc;

    memset(&b, 0, sizeof(b));
    out->n = 0;
    if (!m6_is_request(buf, len))
        return;
    rc = ntp_ctl_decode(buf, len, &b.req);
    if (rc == NTP_ERR_CTL_COUNT) { /* the data count runs past the packet: a format error */
        uint8_t head[NTP_CTL_HEADER_LEN];
        memcpy(head, buf, sizeof(head));
        head[10] = head[11] = 0;
        if (ntp_ctl_decode(head, sizeof(head), &b.req) < 0)
            return;
    } else if (rc < 0) {
        return;
    }
    if (b.req.more || b.req.error || b.req.offset != 0)
        return; /* not a request ntpd would take either */
    b.ctx = ctx;
    b.out = out;
    b.data = buf + NTP_CTL_HEADER_LEN;
    b.leap = ctx->snap != NULL ? ctx->snap->leap : 3;
    b.status = m6_system_status(ctx);
    if (rc < 0)
        m6_set_error(&b, M6_ERR_BADFMT);
    else
        answer_opcode(&b);
    if (!b.is_error && b.overflow)
        m6_set_error(&b, M6_ERR_UNSPEC);
    finish(&b);
    if (m6_response_octets(out) > ctx->max_octets) { /* the amplification bound */
        memset(&b.used, 0, sizeof(b.used));
        b.cur = 0;
        b.items = 0;
        m6_set_error(&b, M6_ERR_PERMISSION);
        finish(&b);
    }
}

/* ---- rate limiting ------------------------------------------------------------------------ */

void m6_bucket_init(struct m6_bucket *b, double burst, double rate_per_s)
{
    *b = (struct m6_bucket){.tokens = burst, .burst = burst, .rate_per_s = rate_per_s};
}

bool m6_bucket_take(struct m6_bucket *b, uint64_t now_ns)
{
    if (b->last_ns != 0 && now_ns > b->last_ns) {
        b->tokens += (double)(now_ns - b->last_ns) * 1e-9 * b->rate_per_s;
        if (b->tokens > b->burst)
            b->tokens = b->burst;
    }
    if (now_ns > b->last_ns || b->last_ns == 0)
        b->last_ns = now_ns;
    if (b->tokens < 1.0)
        return false;
    b->tokens -= 1.0;
    return true;
}
