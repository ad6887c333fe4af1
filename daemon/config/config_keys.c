// SPDX-License-Identifier: ISC
/*
 * Symmetric-key authentication directives: keys FILE, trustedkey ID|(FIRST ... LAST)...,
 * controlkey, requestkey, and the keys file itself, read once the whole configuration is known
 * (so that only the trusted keys are kept in memory; the others are wiped at once).
 *
 * The keys file holds secrets: it must be a regular file owned by root (or the user running
 * tsyncd), writable neither by every user nor by another group than root's.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/config/config_int.h"

#define WHERE_LEN (PATH_MAX + 16)

static char *where_now(struct cfg_parser *p)
{
    char buf[WHERE_LEN];
    snprintf(buf, sizeof(buf), "%s:%u", p->file, p->line);
    return cfgp_strdup(p, buf);
}

void cfgp_dir_keys(struct cfg_parser *p, const struct cfg_line *l)
{
    char w[CFGP_WORD_BUF];
    if (l->argc < 2) {
        cfgp_error(p, "missing argument for keys");
        return;
    }
    if (l->argc > 2) {
        cfgp_error(p, "unexpected \"%s\" after keys argument", cfgp_word(l->argv[2], w));
        return;
    }
    if (l->argv[1][0] != '/') {
        cfgp_error(p, "keys: \"%s\" is not an absolute path", cfgp_word(l->argv[1], w));
        return;
    }
    cfgp_set_string(p, &p->cfg->keys_file, l->argv[1]);
    free(p->keys_where);
    p->keys_where = where_now(p);
}

static void add_trusted(struct cfg_parser *p, long first, long last)
{
    struct cfg *c = p->cfg;
    if (c->n_trusted >= CFG_MAX_TRUSTED) {
        cfgp_error(p, "trustedkey: too many ids and ranges (limit %d)", CFG_MAX_TRUSTED);
        return;
    }
    c->trusted[c->n_trusted++] = (struct cfg_key_range){(uint16_t)first, (uint16_t)last};
}

/* A key id at *s (after blanks); advances *s. */
static bool range_bound(const char **s, long *out)
{
    char *end;
    while (**s == ' ')
        (*s)++;
    if (**s < '0' || **s > '9')
        return false;
    errno = 0;
    unsigned long v = strtoul(*s, &end, 10);
    if (errno != 0 || v < 1 || v > AUTH_MAX_KEY_ID)
        return false;
    *s = end;
    *out = (long)v;
    return true;
}

/* "(FIRST ... LAST)" as ntpd writes a range, in text joined from the line's words. */
static bool parse_range(const char *text, long *first, long *last)
{
    const char *s = text + 1;
    if (!range_bound(&s, first))
        return false;
    while (*s == ' ')
        s++;
    if (strncmp(s, "...", 3) != 0)
        return false;
    s += 3;
    if (!range_bound(&s, last))
        return false;
    while (*s == ' ')
        s++;
    return strcmp(s, ")") == 0 && *first <= *last;
}

/* The range starting at argv[*i] (which starts with '('): its words up to the one ending in
 * ')', joined with blanks. Advances *i to that word. */
static void trusted_range(struct cfg_parser *p, const struct cfg_line *l, int *i)
{
    char text[CFGP_WORD_BUF] = "", w[CFGP_WORD_BUF];
    long first, last;
    int start = *i;
    for (; *i < l->argc; (*i)++) {
        size_t used = strlen(text), n = strlen(l->argv[*i]);
        if (used + n + 2 > sizeof(text))
            break;
        if (used > 0)
            text[used++] = ' ';
        memcpy(text + used, l->argv[*i], n + 1);
        if (strchr(l->argv[*i], ')') != NULL)
            break;
    }
    if (*i >= l->argc || !parse_range(text, &first, &last)) {
        cfgp_error(p, "trustedkey: invalid range \"%s\" (expected \"(FIRST ... LAST)\", 1 to %d)",
                   cfgp_word(text[0] != '\0' ? text : l->argv[start], w), AUTH_MAX_KEY_ID);
        *i = l->argc;
        return;
    }
    add_trusted(p, first, last);
}

void cfgp_dir_trustedkey(struct cfg_parser *p, const struct cfg_line *l)
{
    long n;
    if (l->argc < 2)
        cfgp_error(p, "missing argument for trustedkey");
    for (int i = 1; i < l->argc; i++) {
        if (l->argv[i][0] == '(')
            trusted_range(p, l, &i);
        else if (cfgp_long(p, "trustedkey", l->argv[i], 1, AUTH_MAX_KEY_ID, &n))
            add_trusted(p, n, n);
    }
}

/* controlkey, requestkey: checked and kept; nothing tsyncd answers would use them (mode 6 is
 * read-only, mode 7 is never answered), and ignoring them lowers nothing. */
void cfgp_dir_keyid(struct cfg_parser *p, const struct cfg_line *l)
{
    bool control = strcmp(l->argv[0], "controlkey") == 0;
    long n;
    if (l->argc != 2) {
        cfgp_error(p, "%s takes one key id", l->argv[0]);
        return;
    }
    if (!cfgp_long(p, l->argv[0], l->argv[1], 1, AUTH_MAX_KEY_ID, &n))
        return;
    *(control ? &p->cfg->controlkey : &p->cfg->requestkey) = (uint32_t)n;
}

void cfgp_keyed_source(struct cfg_parser *p, size_t index)
{
    if (index < CFG_MAX_SOURCES)
        p->keyed_source_where[index] = where_now(p);
}

bool cfg_key_trusted(const struct cfg *c, uint32_t id)
{
    for (size_t i = 0; i < c->n_trusted; i++)
        if (id >= c->trusted[i].first && id <= c->trusted[i].last)
            return true;
    return false;
}

void cfg_keep_source_keys(struct cfg *c)
{
    struct auth_keyring kept = {0};
    for (size_t i = 0; i < c->n_sources; i++) {
        const struct auth_key *k = auth_keyring_find(&c->keys, c->sources[i].key_id);
        if (k != NULL && auth_keyring_add(&kept, k) < 0)
            break; /* out of memory: the sources left without a key are refused, never unsigned */
    }
    auth_keyring_clear(&c->keys);
    c->keys = kept;
}

/* A secret must not be readable or changeable by whoever could forge time with it. */
static bool keys_file_safe(struct cfg_parser *p, const char *path, const struct stat *st)
{
    bool ok = true;
    if (st->st_mode & S_IWOTH) {
        cfgp_file_msg(p, CFG_ERROR, path, "keys file is writable by every user (chmod o-w %s)",
                      path);
        ok = false;
    }
    if ((st->st_mode & S_IWGRP) && st->st_gid != 0 && st->st_gid != getegid()) {
        cfgp_file_msg(p, CFG_ERROR, path,
                      "keys file is writable by group %u (chmod g-w %s, or chgrp root)",
                      (unsigned)st->st_gid, path);
        ok = false;
    }
    if (st->st_uid != 0 && st->st_uid != geteuid()) {
        cfgp_file_msg(p, CFG_ERROR, path,
                      "keys file is owned by uid %u, neither root nor the user running tsyncd",
                      (unsigned)st->st_uid);
        ok = false;
    }
    if (ok && (st->st_mode & S_IROTH))
        cfgp_file_msg(p, CFG_WARNING, path,
                      "keys file is readable by every user: its keys are not secret "
                      "(chmod o-r %s)",
                      path);
    return ok;
}

/* One line of the keys file; a trusted key is added to the configuration's keyring. */
static void keys_line(struct cfg_parser *p, const char *path, unsigned line, const char *text,
                      size_t len)
{
    char where[WHERE_LEN], msg[256], buf[CFG_MAX_LINE + 1];
    struct auth_key key;
    snprintf(where, sizeof(where), "%s:%u", path, line);
    if (len > CFG_MAX_LINE || memchr(text, '\0', len) != NULL) {
        cfgp_file_msg(p, CFG_ERROR, where, len > CFG_MAX_LINE ? "line too long" : "NUL byte");
        return;
    }
    memcpy(buf, text, len);
    buf[len] = '\0';
    enum auth_line r = auth_parse_key_line(buf, &key, msg, sizeof(msg));
    explicit_bzero(buf, len);
    if (r == AUTH_LINE_ERROR)
        cfgp_file_msg(p, CFG_ERROR, where, "%s", msg);
    else if (r == AUTH_LINE_KEY && msg[0] != '\0')
        cfgp_file_msg(p, CFG_WARNING, where, "%s", msg);
    if (r == AUTH_LINE_KEY && cfg_key_trusted(p->cfg, key.id) &&
        auth_keyring_add(&p->cfg->keys, &key) < 0)
        cfgp_file_msg(p, CFG_ERROR, where, "out of memory");
    explicit_bzero(&key, sizeof(key));
}

/* Reads the keys file; needed: a source or trustedkey uses it (a missing file is an error).
 * Returns true when it was read. */
static bool load_keys_file(struct cfg_parser *p, bool needed)
{
    const char *path = p->cfg->keys_file;
    const char *where = p->keys_where != NULL ? p->keys_where : path;
    struct stat st;
    size_t len = 0;
    char *text = cfgp_read_file(path, &len, &st);
    if (text == NULL) {
        int err = errno;
        cfgp_file_msg(p, needed ? CFG_ERROR : CFG_WARNING, where, "keys \"%s\": %s%s", path,
                      cfgp_read_error(err), needed ? "" : " (no key is used)");
        return false;
    }
    bool safe = keys_file_safe(p, path, &st);
    unsigned line = 0;
    for (size_t pos = 0; safe && pos < len;) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl != NULL ? (size_t)(nl - text) : len;
        keys_line(p, path, ++line, text + pos, end - pos);
        pos = end + 1;
    }
    explicit_bzero(text, len);
    free(text);
    return safe;
}

/* Every source key must be trusted and, once the file is read, in it. */
static void check_source_keys(struct cfg_parser *p, bool have_file)
{
    const struct cfg *c = p->cfg;
    for (size_t i = 0; i < c->n_sources; i++) {
        uint32_t id = c->sources[i].key_id;
        const char *where = p->keyed_source_where[i] ? p->keyed_source_where[i] : p->file;
        if (id == 0)
            continue;
        if (!cfg_key_trusted(c, id))
            cfgp_file_msg(p, CFG_ERROR, where,
                          "key %u is not trusted (add it to a trustedkey line)", (unsigned)id);
        else if (c->keys_file == NULL)
            cfgp_file_msg(p, CFG_ERROR, where,
                          "key %u: no keys file (add \"keys /etc/ntp.keys\", ntp.keys format)",
                          (unsigned)id);
        else if (have_file && auth_keyring_find(&c->keys, id) == NULL)
            cfgp_file_msg(p, CFG_ERROR, where, "key %u is not in the keys file %s", (unsigned)id,
                          c->keys_file);
    }
}

void cfgp_finish_keys(struct cfg_parser *p)
{
    struct cfg *c = p->cfg;
    bool keyed = false, have_file = false;
    for (size_t i = 0; i < c->n_sources; i++)
        keyed = keyed || c->sources[i].key_id != 0;
    if (c->keys_file != NULL && !(p->flags & CFG_NO_INCLUDE)) /* fuzzing: no file access */
        have_file = load_keys_file(p, keyed || c->n_trusted > 0);
    check_source_keys(p, have_file);
    for (size_t i = 0; i < CFG_MAX_SOURCES; i++) {
        free(p->keyed_source_where[i]);
        p->keyed_source_where[i] = NULL;
    }
    free(p->keys_where);
    p->keys_where = NULL;
}
