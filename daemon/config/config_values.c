// SPDX-License-Identifier: ISC
/* Configuration value parsers: numbers, words, addresses and masks. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config/config_int.h"

const char *cfgp_word(const char *word, char buf[CFGP_WORD_BUF])
{
    static const size_t keep = CFGP_WORD_BUF - 4; /* room for "..." and the NUL */
    size_t i = 0;
    for (; word[i] != '\0' && i < keep; i++) {
        unsigned char ch = (unsigned char)word[i];
        buf[i] = (ch >= 0x20 && ch < 0x7f && ch != '"') ? (char)ch : '?';
    }
    buf[i] = '\0';
    if (word[i] != '\0')
        memcpy(buf + i, "...", 4);
    return buf;
}

bool cfgp_long(struct cfg_parser *p, const char *what, const char *word, long min, long max,
               long *out)
{
    char w[CFGP_WORD_BUF];
    char *end;
    errno = 0;
    long v = strtol(word, &end, 10);
    if (end == word || *end != '\0' || isspace((unsigned char)word[0])) {
        cfgp_error(p, "%s: \"%s\" is not an integer", what, cfgp_word(word, w));
        return false;
    }
    if (errno == ERANGE || v < min || v > max) {
        cfgp_error(p, "%s: \"%s\" is out of range %ld..%ld", what, cfgp_word(word, w), min, max);
        return false;
    }
    *out = v;
    return true;
}

/* Only decimal notation: strtod would also take hex floats, "nan" and "inf". */
static bool decimal_number(const char *s)
{
    if (*s == '+' || *s == '-')
        s++;
    bool digits = false;
    for (; *s != '\0'; s++) {
        if (isdigit((unsigned char)*s))
            digits = true;
        else if (*s != '.' && *s != 'e' && *s != 'E' && *s != '+' && *s != '-')
            return false;
    }
    return digits;
}

bool cfgp_double(struct cfg_parser *p, const char *what, const char *word, double min, double max,
                 double *out)
{
    char w[CFGP_WORD_BUF];
    char *end;
    if (!decimal_number(word)) {
        cfgp_error(p, "%s: \"%s\" is not a number", what, cfgp_word(word, w));
        return false;
    }
    errno = 0;
    double v = strtod(word, &end);
    if (end == word || *end != '\0') {
        cfgp_error(p, "%s: \"%s\" is not a number", what, cfgp_word(word, w));
        return false;
    }
    if (!isfinite(v) || errno == ERANGE || v < min || v > max) {
        cfgp_error(p, "%s: \"%s\" is out of range %g..%g", what, cfgp_word(word, w), min, max);
        return false;
    }
    *out = v;
    return true;
}

void cfgp_skip_value(const struct cfg_line *l, int *i)
{
    if (*i + 1 < l->argc && decimal_number(l->argv[*i + 1]))
        ++*i;
}

const char *cfgp_arg(struct cfg_parser *p, const struct cfg_line *l, int *i, const char *what)
{
    if (*i + 1 >= l->argc) {
        cfgp_error(p, "missing value for %s", what);
        return NULL;
    }
    return l->argv[++*i];
}

char *cfgp_strdup(struct cfg_parser *p, const char *s)
{
    char *copy = strdup(s);
    if (copy == NULL)
        cfgp_error(p, "out of memory");
    return copy;
}

void cfgp_set_string(struct cfg_parser *p, char **slot, const char *s)
{
    char *copy = cfgp_strdup(p, s);
    if (copy == NULL)
        return;
    free(*slot);
    *slot = copy;
}

size_t cfgp_addr_len(enum cfg_family family)
{
    return family == CFG_FAMILY_IPV6 ? 16 : 4;
}

/* Mask of prefix_len leading one bits over len bytes. */
static void prefix_mask(uint8_t mask[16], size_t len, unsigned prefix_len)
{
    memset(mask, 0, 16);
    for (size_t i = 0; i < len; i++) {
        unsigned bits = prefix_len > 8 * i ? prefix_len - 8 * (unsigned)i : 0;
        mask[i] = bits >= 8 ? 0xff : (uint8_t)(0xff00u >> bits);
    }
}

void cfgp_apply_mask(struct cfg_net *net, const uint8_t mask[16])
{
    for (size_t i = 0; i < 16; i++) {
        net->mask[i] = i < cfgp_addr_len(net->family) ? mask[i] : 0;
        net->addr[i] &= net->mask[i];
    }
}

/* Parses an address literal (optionally in brackets) into family and addr. */
static bool parse_addr(const char *word, enum cfg_family *family, uint8_t addr[16])
{
    char buf[INET6_ADDRSTRLEN + 2];
    size_t n = strlen(word);
    if (n >= 2 && word[0] == '[' && word[n - 1] == ']') {
        word++;
        n -= 2;
    }
    if (n == 0 || n >= sizeof(buf))
        return false;
    memcpy(buf, word, n);
    buf[n] = '\0';
    memset(addr, 0, 16);
    if (inet_pton(AF_INET, buf, addr) == 1) {
        *family = CFG_FAMILY_IPV4;
        return true;
    }
    if (inet_pton(AF_INET6, buf, addr) == 1) {
        *family = CFG_FAMILY_IPV6;
        return true;
    }
    return false;
}

bool cfgp_parse_net(const char *word, struct cfg_net *out)
{
    char buf[INET6_ADDRSTRLEN + 8];
    const char *slash = strchr(word, '/');
    size_t n = slash != NULL ? (size_t)(slash - word) : strlen(word);
    if (n >= sizeof(buf))
        return false;
    memcpy(buf, word, n);
    buf[n] = '\0';
    memset(out, 0, sizeof(*out));
    if (!parse_addr(buf, &out->family, out->addr))
        return false;
    unsigned bits = 8 * (unsigned)cfgp_addr_len(out->family);
    unsigned prefix_len = bits;
    if (slash != NULL) {
        const char *s = slash + 1;
        if (*s == '\0' || strlen(s) > 3)
            return false;
        prefix_len = 0;
        for (; *s != '\0'; s++) {
            if (!isdigit((unsigned char)*s))
                return false;
            prefix_len = prefix_len * 10 + (unsigned)(*s - '0');
        }
        if (prefix_len > bits)
            return false;
    }
    uint8_t mask[16];
    prefix_mask(mask, cfgp_addr_len(out->family), prefix_len);
    cfgp_apply_mask(out, mask);
    return true;
}

bool cfgp_parse_mask(const char *word, enum cfg_family family, uint8_t mask[16])
{
    enum cfg_family mask_family;
    return parse_addr(word, &mask_family, mask) && mask_family == family;
}

bool cfgp_valid_host(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > CFG_MAX_NAME || s[0] == '-')
        return false;
    for (; *s != '\0'; s++) {
        unsigned char ch = (unsigned char)*s;
        if (!isalnum(ch) && strchr("-._:%[]", ch) == NULL)
            return false;
    }
    return true;
}
