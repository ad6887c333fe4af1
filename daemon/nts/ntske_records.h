// SPDX-License-Identifier: ISC
/*
 * NTS Key Establishment records (RFC 8915 section 4), prefix ntske_: the encoding of a client
 * request and a server response, and their decoding with every rule of the RFC checked.
 * I/O-free: the TLS session (daemon/ntske/) moves the bytes.
 *
 * A record is: C (1 bit: critical) | type (15 bits) | body length (16 bits) | body; a message is
 * records up to and including End of Message. tsyncd speaks NTPv4 (protocol 0) with
 * AEAD_AES_SIV_CMAC_256 (algorithm 15) only.
 *
 * Decoders take (const uint8_t *buf, size_t len), never read outside it, and return 0 or -1
 * with an English reason in err.
 */
#ifndef TSYNC_NTS_NTSKE_RECORDS_H
#define TSYNC_NTS_NTSKE_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NTSKE_PORT            4460
#define NTSKE_ALPN            "ntske/1"
#define NTSKE_EXPORTER_LABEL  "EXPORTER-network-time-security"
#define NTSKE_MAX_MESSAGE     16384 /* longest message accepted (records up to End), octets */
#define NTS_PROTOCOL_NTPV4    0
#define NTS_AEAD_SIV_CMAC_256 15  /* AEAD_AES_SIV_CMAC_256 (RFC 5297), IANA AEAD id */
#define NTS_KEY_LEN           32  /* octets of a C2S or S2C key of AEAD_AES_SIV_CMAC_256 */
#define NTS_MAX_COOKIES       8   /* cookies a client keeps, and a server hands out at once */
#define NTS_COOKIE_MAX        256 /* longest cookie accepted, octets */
#define NTSKE_SERVER_MAX      255 /* longest NTPv4 Server Negotiation body, octets */

#define NTSKE_CRITICAL 0x8000u

enum ntske_record_type {
    NTSKE_END = 0,
    NTSKE_NEXT_PROTOCOL = 1,
    NTSKE_ERROR = 2,
    NTSKE_WARNING = 3,
    NTSKE_AEAD = 4,
    NTSKE_NEW_COOKIE = 5,
    NTSKE_SERVER = 6,
    NTSKE_PORT_NEG = 7,
};

enum ntske_error_code {
    NTSKE_ERR_UNRECOGNIZED_CRITICAL = 0,
    NTSKE_ERR_BAD_REQUEST = 1,
    NTSKE_ERR_INTERNAL = 2,
};

/* A client request as the server sees it. */
struct ntske_request {
    bool ntpv4;        /* NTPv4 is among the protocols offered */
    bool siv_cmac_256; /* AEAD_AES_SIV_CMAC_256 is among the algorithms offered */
    int error;         /* -1, or the enum ntske_error_code the server must answer with */
    unsigned unknown;  /* non-critical records of unknown types (ignored) */
};

/* A server response as the client sees it (only when decoding succeeded: the protocol is
 * NTPv4, the algorithm AEAD_AES_SIV_CMAC_256 and at least one cookie came). */
struct ntske_response {
    unsigned ncookies; /* 1 .. NTS_MAX_COOKIES (more are dropped) */
    uint16_t cookie_len[NTS_MAX_COOKIES];
    uint8_t cookies[NTS_MAX_COOKIES][NTS_COOKIE_MAX];
    char server[NTSKE_SERVER_MAX + 1]; /* NTPv4 server (name or address), "" when not sent */
    uint16_t port;                     /* NTPv4 port, 0 when not sent */
};

/* Length of the complete message at the start of buf (up to and including End of Message):
 * > 0 when complete, 0 when more octets are needed, -1 when it cannot become valid (a record
 * overruns NTSKE_MAX_MESSAGE, or End of Message has a body). */
long ntske_message_length(const uint8_t *buf, size_t len);

/* The client's request: Next Protocol NTPv4, AEAD AES-SIV-CMAC-256, End (all critical). Returns
 * its length or -1 when cap is too small. */
int ntske_encode_request(uint8_t *buf, size_t cap);

/* Decode a complete request message (server side). -1 only for a message that is not even a
 * sequence of records ending with End of Message; request->error says what to answer else. */
int ntske_decode_request(const uint8_t *buf, size_t len, struct ntske_request *request, char *err,
                         size_t errlen);

/* The server's response: Next Protocol NTPv4, AEAD AES-SIV-CMAC-256, the cookies, Port
 * Negotiation when port is not 123, End. Returns its length or -1 (cap too small, no cookie). */
int ntske_encode_response(const struct ntske_response *r, uint8_t *buf, size_t cap);

/* A response with one Error record (and End). Returns its length or -1. */
int ntske_encode_error(enum ntske_error_code code, uint8_t *buf, size_t cap);

/* Decode a complete response (client side) into *r. Fails on an Error or Warning record, a
 * protocol other than NTPv4, an algorithm other than AEAD_AES_SIV_CMAC_256, no cookie, an
 * unrecognised critical record, a duplicate or malformed record, or octets after End. */
int ntske_decode_response(const uint8_t *buf, size_t len, struct ntske_response *r, char *err,
                          size_t errlen);

/* English name of an Error record code. */
const char *ntske_error_name(unsigned code);

#endif
