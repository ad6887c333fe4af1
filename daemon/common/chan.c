// SPDX-License-Identifier: ISC
/* Message channels: a SOCK_SEQPACKET socket or a pair of in-process queues (chan.h). */
#include "daemon/common/chan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/common/msg.h"

struct chan_item {
    struct chan_item *next;
    size_t len;
    unsigned char data[];
};

/* One direction of an in-process channel, shared by the writing and the reading end. */
struct chan_queue {
    struct chan_item *head, *tail;
    int count;
    int refs;         /* ends still holding it (2, then 1, then freed) */
    bool writer_gone; /* the reader sees EOF once the queue is empty */
    bool reader_gone; /* sends fail with EPIPE */
};

void chan_init_closed(struct chan *c)
{
    c->fd = -1;
    c->rx = c->tx = NULL;
}

void chan_init_socket(struct chan *c, int fd)
{
    chan_init_closed(c);
    c->fd = fd;
}

static struct chan_queue *queue_new(void)
{
    struct chan_queue *q = calloc(1, sizeof(*q));

    if (q != NULL)
        q->refs = 2;
    return q;
}

static void queue_release(struct chan_queue *q)
{
    if (q == NULL || --q->refs > 0)
        return;
    while (q->head != NULL) {
        struct chan_item *it = q->head;

        q->head = it->next;
        free(it);
    }
    free(q);
}

int chan_pair_inprocess(struct chan *a, struct chan *b)
{
    struct chan_queue *ab = queue_new(), *ba = queue_new();

    if (ab == NULL || ba == NULL) {
        free(ab);
        free(ba);
        errno = ENOMEM;
        return -1;
    }
    chan_init_closed(a);
    chan_init_closed(b);
    a->tx = b->rx = ab;
    b->tx = a->rx = ba;
    return 0;
}

void chan_close(struct chan *c)
{
    if (c->fd >= 0)
        close(c->fd);
    if (c->tx != NULL)
        c->tx->writer_gone = true;
    if (c->rx != NULL)
        c->rx->reader_gone = true;
    queue_release(c->tx);
    queue_release(c->rx);
    chan_init_closed(c);
}

bool chan_is_open(const struct chan *c)
{
    return c->fd >= 0 || (c->tx != NULL && !c->tx->reader_gone);
}

static int queue_push(struct chan_queue *q, const struct msg_header *hdr, const void *payload,
                      size_t len)
{
    struct chan_item *it;

    if (q->reader_gone) {
        errno = EPIPE;
        return -1;
    }
    if (q->count >= CHAN_QUEUE_MAX) {
        errno = EAGAIN;
        return -1;
    }
    it = malloc(sizeof(*it) + sizeof(*hdr) + len);
    if (it == NULL) {
        errno = EAGAIN; /* like a socket without buffer space: the message is lost */
        return -1;
    }
    it->next = NULL;
    it->len = sizeof(*hdr) + len;
    memcpy(it->data, hdr, sizeof(*hdr));
    if (len > 0)
        memcpy(it->data + sizeof(*hdr), payload, len);
    if (q->tail != NULL)
        q->tail->next = it;
    else
        q->head = it;
    q->tail = it;
    q->count++;
    return 0;
}

int chan_send(struct chan *c, uint16_t type, uint32_t *seq, const void *payload, size_t len)
{
    struct msg_header hdr = {
        .version = MSG_VERSION,
        .type = type,
        .length = (uint32_t)(sizeof(hdr) + len),
        .seq = *seq,
    };

    if (sizeof(hdr) + len > MSG_MAX_SIZE) {
        errno = EINVAL;
        return -1;
    }
    if (c->fd >= 0)
        return msg_send(c->fd, type, seq, payload, len);
    if (c->tx == NULL) {
        errno = EPIPE;
        return -1;
    }
    if (queue_push(c->tx, &hdr, payload, len) < 0)
        return -1;
    (*seq)++;
    return 0;
}

ssize_t chan_recv(struct chan *c, void *buf, size_t len)
{
    struct chan_item *it;
    size_t n;

    if (c->fd >= 0)
        return recv(c->fd, buf, len, MSG_DONTWAIT | MSG_TRUNC);
    if (c->rx == NULL)
        return 0;
    it = c->rx->head;
    if (it == NULL) {
        if (c->rx->writer_gone)
            return 0;
        errno = EAGAIN;
        return -1;
    }
    c->rx->head = it->next;
    if (c->rx->head == NULL)
        c->rx->tail = NULL;
    c->rx->count--;
    n = it->len < len ? it->len : len;
    memcpy(buf, it->data, n);
    n = it->len;
    free(it);
    return (ssize_t)n;
}

int chan_poll_fd(const struct chan *c)
{
    return c->fd;
}

bool chan_ready(const struct chan *c)
{
    return c->fd < 0 && c->rx != NULL && (c->rx->head != NULL || c->rx->writer_gone);
}
