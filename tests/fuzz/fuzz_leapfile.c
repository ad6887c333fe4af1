// SPDX-License-Identifier: ISC
// fuzz-sources: daemon/common/leapfile.c daemon/common/sha1.c
/*
 * libFuzzer target for leap-seconds.list files (`leapfile`): whatever the file holds, the parser
 * never reads out of bounds and a table it accepts is consistent (entries in time order, each
 * offset one second from the previous, the expiry after the last entry), and lookups on it at
 * any time give an offset of the table and a next leap after that time.
 */
#include <stdint.h>
#include <stdlib.h>

#include "daemon/common/leapfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            abort();                                                                               \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct leap_table t;
    struct leap_info li;
    char err[128];

    if (leap_parse((const char *)data, size, &t, err, sizeof(err)) < 0) {
        CHECK(t.n == 0);
        return 0;
    }
    CHECK(t.n >= 1 && t.n <= LEAP_MAX_ENTRIES && t.expire_s > t.when_s[t.n - 1]);
    for (int i = 1; i < t.n; i++) {
        CHECK(t.when_s[i] > t.when_s[i - 1]);
        CHECK(t.tai_s[i] - t.tai_s[i - 1] == 1 || t.tai_s[i] - t.tai_s[i - 1] == -1);
    }
    for (int i = 0; i < t.n; i++) {
        leap_lookup(&t, t.when_s[i] - 1, &li);
        CHECK(li.next_s == t.when_s[i]);
        leap_lookup(&t, t.when_s[i], &li);
        CHECK(li.tai_offset_s == t.tai_s[i] && (li.next_s == 0 || li.next_s > t.when_s[i]));
    }
    return 0;
}
