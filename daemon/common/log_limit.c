// SPDX-License-Identifier: ISC
/* Token buckets for log lines; see log_limit.h. */
#include "daemon/common/log_limit.h"

static void refill(struct loglim_bucket *b, double now_s)
{
    if (!b->used) {
        b->used = true;
        b->tokens = LOGLIM_BURST;
    } else if (now_s > b->last_s) {
        b->tokens += (now_s - b->last_s) * LOGLIM_RATE_PER_S;
        if (b->tokens > LOGLIM_BURST)
            b->tokens = LOGLIM_BURST;
    }
    b->last_s = now_s > b->last_s ? now_s : b->last_s; /* a clock going back refills nothing */
}

static bool take(struct loglim_bucket *b)
{
    if (b->tokens < 1)
        return false;
    b->tokens -= 1;
    return true;
}

uint64_t loglim_flush(struct loglim_bucket *b, double now_s)
{
    uint64_t n = b->suppressed;

    refill(b, now_s);
    if (n == 0 || !take(b))
        return 0;
    b->suppressed = 0;
    return n;
}

bool loglim_admit(struct loglim_bucket *b, double now_s, uint64_t *report)
{
    *report = loglim_flush(b, now_s);
    if (take(b))
        return true;
    b->suppressed++;
    return false;
}
