// SPDX-License-Identifier: ISC
/* The metrics listener's HTTP/1.x request parser (request line and headers only). */
#include "daemon/control/http.h"

#include <string.h>

/* RFC 9110 tchar: the characters of a method or a header name. */
static bool is_tchar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* Visible ASCII of a request target. */
static bool is_target_char(char c)
{
    return c > 0x20 && c < 0x7f;
}

/* The end of the line starting at buf[pos] (the index of its '\n'), or len when not yet read. */
static size_t line_end(const char *buf, size_t len, size_t pos)
{
    const char *nl = memchr(buf + pos, '\n', len - pos);

    return nl != NULL ? (size_t)(nl - buf) : len;
}

/* Length of the line buf[pos..end) without a trailing '\r'. */
static size_t content_len(const char *buf, size_t pos, size_t end)
{
    return end > pos && buf[end - 1] == '\r' ? end - pos - 1 : end - pos;
}

/* "METHOD SP TARGET SP HTTP/1.x"; n octets. */
static bool parse_request_line(const char *s, size_t n, struct http_request *req)
{
    size_t i = 0, k = 0;

    while (i < n && is_tchar(s[i]) && k + 1 < sizeof(req->method))
        req->method[k++] = s[i++];
    req->method[k] = '\0';
    if (k == 0 || i >= n || s[i++] != ' ')
        return false;
    if (i >= n || s[i] != '/')
        return false;
    k = 0;
    while (i < n && is_target_char(s[i])) {
        if (s[i] == '?' || s[i] == '#') { /* the query is not part of the path */
            while (i < n && is_target_char(s[i]))
                i++;
            break;
        }
        if (k + 1 >= sizeof(req->path))
            return false;
        req->path[k++] = s[i++];
    }
    req->path[k] = '\0';
    if (n - i != 9 || s[i] != ' ' || memcmp(s + i + 1, "HTTP/1.", 7) != 0 ||
        (s[i + 8] != '0' && s[i + 8] != '1'))
        return false;
    req->minor_version = s[i + 8] - '0';
    return true;
}

/* "Name: value" with a token name and visible or blank characters in the value. */
static bool valid_header(const char *s, size_t n)
{
    size_t i = 0;

    while (i < n && is_tchar(s[i]))
        i++;
    if (i == 0 || i >= n || s[i] != ':')
        return false;
    for (i++; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 && c != '\t')
            return false;
        if (c == 0x7f)
            return false;
    }
    return true;
}

enum http_parse http_parse_request(const char *buf, size_t len, struct http_request *req)
{
    size_t pos = 0, end, n;

    memset(req, 0, sizeof(*req));
    if (len > 0 && memchr(buf, '\0', len) != NULL)
        return HTTP_BAD;
    end = line_end(buf, len, 0);
    n = content_len(buf, 0, end);
    if (end == len) /* the request line is not complete: check what there is of it */
        return len > HTTP_METHOD_LEN + HTTP_PATH_LEN + 16 ? HTTP_BAD : HTTP_INCOMPLETE;
    if (!parse_request_line(buf, n, req))
        return HTTP_BAD;
    for (pos = end + 1; pos < len; pos = end + 1) {
        end = line_end(buf, len, pos);
        if (end == len)
            return HTTP_INCOMPLETE;
        n = content_len(buf, pos, end);
        if (n == 0) {
            req->head_len = end + 1;
            return HTTP_COMPLETE;
        }
        if (!valid_header(buf + pos, n))
            return HTTP_BAD;
    }
    return HTTP_INCOMPLETE;
}

int http_status(const struct http_request *req)
{
    return strcmp(req->method, "GET") == 0 && strcmp(req->path, "/metrics") == 0 ? 200 : 404;
}
