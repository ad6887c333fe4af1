// SPDX-License-Identifier: ISC
/* What test_msg.c and test_msg_nts.c share: a frame of any message type and its validation. */
#ifndef TSYNC_TESTS_MSG_FRAME_H
#define TSYNC_TESTS_MSG_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/common/msg.h"

/* A header and room for any payload. */
struct frame {
    struct msg_header hdr;
    union {
        struct msg_sample sample;
        struct msg_source_add add;
        struct msg_source_ref ref;
        struct msg_clock_map map;
        struct msg_resolve resolve;
        struct msg_resolved resolved;
        struct msg_hello hello;
        struct msg_nts_keys keys;
        struct msg_ntske_listen listen;
        struct msg_ntske_request ke_req;
        struct msg_ntske_result ke_res;
        struct msg_ntske_cookie_req cookie_req;
        struct msg_ntske_cookies cookies;
    } u;
};

/* Sets f's header for type with sequence seq; returns the frame's length (octets). */
size_t frame(struct frame *f, uint16_t type, uint32_t seq);
/* msg_validate() of the first len octets of f; err gets 160 octets of reason. */
int validate(struct frame *f, size_t len, uint32_t *seq, char *err);
/* The NTS message checks (test_msg_nts.c). */
void test_nts_messages(void **state);

#endif
