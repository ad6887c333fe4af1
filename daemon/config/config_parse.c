// SPDX-License-Identifier: ISC
/*
 * Configuration loading: diagnostics, reading files, splitting lines into words, includefile
 * (depth limit, loop detection, paths relative to the including file), defaults.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/config/config_int.h"
#include "daemon/common/log.h"

void cfg_diag_init(struct cfg_diag *d)
{
    memset(d, 0, sizeof(*d));
}

void cfg_diag_free(struct cfg_diag *d)
{
    for (size_t i = 0; i < d->n_msgs; i++)
        free(d->msgs[i].text);
    free(d->msgs);
    cfg_diag_init(d);
}

void cfg_diag_print(const struct cfg_diag *d, FILE *out)
{
    for (size_t i = 0; i < d->n_msgs; i++)
        fprintf(out, "%s\n", d->msgs[i].text);
    size_t total = d->n_errors + d->n_warnings;
    if (total > d->n_msgs)
        fprintf(out, "(%zu more messages not shown)\n", total - d->n_msgs);
}

/* Appends one message "FILE:LINE: [warning: ]msg" (no ":LINE" when line is 0). */
static void diag_add(struct cfg_diag *d, enum cfg_level level, const char *file, unsigned line,
                     const char *msg)
{
    if (level == CFG_ERROR)
        d->n_errors++;
    else
        d->n_warnings++;
    if (d->n_msgs >= CFG_MAX_DIAGS)
        return;
    if (d->msgs == NULL) {
        d->msgs = calloc(CFG_MAX_DIAGS, sizeof(*d->msgs));
        if (d->msgs == NULL)
            return;
    }
    char where[24] = "";
    if (line > 0)
        snprintf(where, sizeof(where), ":%u", line);
    const char *kind = level == CFG_WARNING ? "warning: " : "";
    int n = snprintf(NULL, 0, "%s%s: %s%s", file, where, kind, msg);
    char *text = n < 0 ? NULL : malloc((size_t)n + 1);
    if (text == NULL)
        return;
    snprintf(text, (size_t)n + 1, "%s%s: %s%s", file, where, kind, msg);
    d->msgs[d->n_msgs++] = (struct cfg_msg){.level = level, .line = line, .text = text};
}

static void vmsg(struct cfg_parser *p, enum cfg_level level, const char *fmt, va_list ap)
{
    char msg[512];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    diag_add(p->diag, level, p->file, p->line, msg);
}

void cfgp_error(struct cfg_parser *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg(p, CFG_ERROR, fmt, ap);
    va_end(ap);
}

void cfgp_warn(struct cfg_parser *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg(p, CFG_WARNING, fmt, ap);
    va_end(ap);
}

void cfgp_unknown(struct cfg_parser *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg(p, (p->flags & CFG_STRICT) ? CFG_ERROR : CFG_WARNING, fmt, ap);
    va_end(ap);
}

void cfgp_file_msg(struct cfg_parser *p, enum cfg_level level, const char *file, const char *fmt,
                   ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    diag_add(p->diag, level, file, 0, msg);
}

void cfg_init(struct cfg *c)
{
    memset(c, 0, sizeof(*c));
    c->log_mask = log_config_default();
    c->step_s = CFG_DEFAULT_STEP_S;
    c->panic_s = CFG_DEFAULT_PANIC_S;
    c->stepout_s = CFG_DEFAULT_STEPOUT_S;
    c->dispersion_ppm = CFG_DEFAULT_DISPERSION_PPM;
    c->clock = CFG_CLOCK_SYSTEM;
    c->port = CFG_DEFAULT_PORT;
    c->maxslewrate_ppm = CFG_DEFAULT_MAXSLEW_PPM;
    c->minsources = CFG_DEFAULT_MINSOURCES;
    c->ratelimit =
        (struct cfg_ratelimit){.enabled = false, .interval = 3, .burst = 8, .leak = 2, .kod = -1};
    c->ntske_port = CFG_DEFAULT_NTSKE_PORT;
    c->nts_rotate_s = CFG_DEFAULT_NTS_ROTATE_S;
    for (int k = 0; k < CFG_N_STATS; k++)
        c->filegen[k] = (struct cfg_filegen){.link = true, .type = CFG_FILEGEN_DAY};
}

void cfg_free(struct cfg *c)
{
    for (size_t i = 0; i < c->n_sources; i++)
        free(c->sources[i].name);
    for (size_t i = 0; i < c->n_restricts; i++)
        free(c->restricts[i].host);
    for (size_t i = 0; i < c->n_refclocks; i++)
        free(c->refclocks[i].device);
    for (size_t i = 0; i < c->n_hwts; i++)
        free(c->hwts[i].iface);
    char **strings[] = {&c->driftfile,      &c->logfile,   &c->leapfile,
                        &c->pidfile,        &c->user,      &c->chroot_dir,
                        &c->controlsocket,  &c->group,     &c->keys_file,
                        &c->statsdir,       &c->log_ident, &c->observe.clockbound,
                        &c->observe.vmclock};
    for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
        free(*strings[i]);
    cfgp_free_nts(c);
    auth_keyring_clear(&c->keys);
    for (int k = 0; k < CFG_N_STATS; k++)
        free(c->filegen[k].file);
    for (size_t i = 0; i < c->n_listen; i++)
        free(c->listen[i]);
    cfg_init(c);
}

static bool is_blank(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\v' || ch == '\f';
}

/*
 * Splits buf (NUL-terminated, modified in place) into words. Returns false with an error for
 * an unterminated quote or too many words.
 */
static bool split_words(struct cfg_parser *p, char *buf, struct cfg_line *l)
{
    char *s = buf;
    l->argc = 0;
    for (;;) {
        while (is_blank(*s))
            s++;
        if (*s == '\0' || *s == '#')
            return true;
        if (l->argc == CFG_MAX_WORDS) {
            cfgp_error(p, "too many words (limit %d)", CFG_MAX_WORDS);
            return false;
        }
        if (*s == '"') {
            char *end = strchr(s + 1, '"');
            if (end == NULL) {
                cfgp_error(p, "unterminated quoted string");
                return false;
            }
            l->argv[l->argc++] = s + 1;
            *end = '\0';
            s = end + 1;
            continue;
        }
        l->argv[l->argc++] = s;
        while (*s != '\0' && !is_blank(*s) && *s != '#')
            s++;
        if (*s == '#') {
            *s = '\0';
            return true;
        }
        if (*s != '\0')
            *s++ = '\0';
    }
}

/* Handles one line of len bytes (no newline). */
static void parse_line(struct cfg_parser *p, const char *text, size_t len)
{
    static const size_t max = CFG_MAX_LINE;
    if (len > max) {
        cfgp_error(p, "line too long (%zu bytes, limit %zu)", len, max);
        return;
    }
    if (memchr(text, '\0', len) != NULL) {
        cfgp_error(p, "NUL byte in line");
        return;
    }
    char buf[CFG_MAX_LINE + 1];
    memcpy(buf, text, len);
    buf[len] = '\0';
    struct cfg_line l;
    if (split_words(p, buf, &l) && l.argc > 0)
        cfgp_dispatch(p, &l);
}

/* Directory part of path ("" for a bare name, "/" for "/x"), allocated. */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        return strdup("");
    size_t n = slash == path ? 1 : (size_t)(slash - path);
    char *dir = malloc(n + 1);
    if (dir != NULL) {
        memcpy(dir, path, n);
        dir[n] = '\0';
    }
    return dir;
}

void cfgp_parse_buffer(struct cfg_parser *p, const char *name, const char *text, size_t len)
{
    char *dir = dir_of(name);
    if (dir == NULL) {
        cfgp_file_msg(p, CFG_ERROR, name, "out of memory");
        return;
    }
    const char *saved_file = p->file, *saved_dir = p->dir;
    unsigned saved_line = p->line;
    p->file = name;
    p->dir = dir;
    p->line = 0;
    size_t pos = 0;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl != NULL ? (size_t)(nl - text) : len;
        p->line++;
        parse_line(p, text + pos, end - pos);
        pos = end + 1;
    }
    p->file = saved_file;
    p->dir = saved_dir;
    p->line = saved_line;
    free(dir);
}

/* Reads from fd until EOF or cap bytes; returns the count or -1 with errno set. */
static ssize_t read_all(int fd, char *buf, size_t cap)
{
    size_t n = 0;
    while (n < cap) {
        ssize_t r = read(fd, buf + n, cap - n);
        if (r == 0)
            break;
        if (r < 0 && errno != EINTR)
            return -1;
        n += r > 0 ? (size_t)r : 0;
    }
    return (ssize_t)n;
}

char *cfgp_read_file(const char *path, size_t *len, struct stat *st_out)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return NULL;
    struct stat st;
    char *buf = NULL;
    int err = 0;
    if (fstat(fd, &st) < 0) {
        err = errno;
    } else if (!S_ISREG(st.st_mode)) {
        err = EINVAL;
    } else if (st.st_size > CFG_MAX_FILE_SIZE) {
        err = EFBIG;
    } else if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
        err = ENOMEM;
    } else {
        /* One byte more than the size seen by fstat detects a file growing meanwhile. */
        ssize_t n = read_all(fd, buf, (size_t)st.st_size + 1);
        if (n < 0)
            err = errno;
        else if (n > st.st_size)
            err = EAGAIN;
        *len = n > 0 ? (size_t)n : 0;
        *st_out = st;
    }
    close(fd);
    if (err != 0) {
        free(buf);
        errno = err;
        return NULL;
    }
    return buf;
}

/* cfgp_read_file() into a file id for loop detection. */
static char *read_file(const char *path, size_t *len, struct cfg_file_id *id)
{
    struct stat st;
    char *text = cfgp_read_file(path, len, &st);
    if (text != NULL) {
        id->dev = st.st_dev;
        id->ino = st.st_ino;
    }
    return text;
}

const char *cfgp_read_error(int err)
{
    switch (err) {
    case EINVAL:
        return "not a regular file";
    case EFBIG:
        return "file too large (limit 1 MiB)";
    case EAGAIN:
        return "file changed while being read";
    default:
        return strerror(err);
    }
}

static bool in_chain(const struct cfg_parser *p, const struct cfg_file_id *id)
{
    for (int i = 0; i < p->chain_len; i++)
        if (p->chain[i].dev == id->dev && p->chain[i].ino == id->ino)
            return true;
    return false;
}

/* Joins a relative include path to the including file's directory; NULL if too long. */
static char *include_path(const struct cfg_parser *p, const char *path)
{
    const char *dir = path[0] == '/' || p->dir == NULL ? "" : p->dir;
    const char *sep = dir[0] == '\0' || dir[strlen(dir) - 1] == '/' ? "" : "/";
    size_t n = strlen(dir) + strlen(sep) + strlen(path);
    if (n >= PATH_MAX)
        return NULL;
    char *full = malloc(n + 1);
    if (full != NULL) {
        strcpy(full, dir);
        strcat(full, sep);
        strcat(full, path);
    }
    return full;
}

void cfgp_include(struct cfg_parser *p, const char *path)
{
    char w[CFGP_WORD_BUF];
    p->cfg->n_includefiles++;
    if (p->flags & CFG_NO_INCLUDE) {
        cfgp_warn(p, "includefile \"%s\" not read (includes disabled)", cfgp_word(path, w));
        return;
    }
    if (p->depth >= CFG_MAX_INCLUDE_DEPTH) {
        cfgp_error(p, "includefile \"%s\" nested too deeply (limit %d levels)", cfgp_word(path, w),
                   CFG_MAX_INCLUDE_DEPTH);
        return;
    }
    if (p->n_includes >= CFG_MAX_INCLUDES) {
        cfgp_error(p, "includefile \"%s\": too many includes (limit %d)", cfgp_word(path, w),
                   CFG_MAX_INCLUDES);
        return;
    }
    p->n_includes++;
    char *full = include_path(p, path);
    if (full == NULL) {
        cfgp_error(p, "includefile \"%s\": path too long", cfgp_word(path, w));
        return;
    }
    size_t len = 0;
    struct cfg_file_id id;
    char *text = read_file(full, &len, &id);
    if (text == NULL) {
        int err = errno;
        /* As in ntpd, a file that cannot be opened is only a warning (e.g. /etc/ntp/crypto/pw). */
        if (err == ENOENT || err == EACCES || err == ENOTDIR || err == ELOOP)
            cfgp_warn(p, "includefile \"%s\": %s, skipped", cfgp_word(full, w), strerror(err));
        else
            cfgp_error(p, "includefile \"%s\": %s", cfgp_word(full, w), cfgp_read_error(err));
    } else if (in_chain(p, &id)) {
        cfgp_error(p, "includefile \"%s\": include loop (the file is already being read)",
                   cfgp_word(full, w));
    } else {
        p->chain[p->chain_len++] = id;
        p->depth++;
        cfgp_parse_buffer(p, full, text, len);
        p->depth--;
        p->chain_len--;
    }
    free(text);
    free(full);
}

static void parser_start(struct cfg_parser *p, unsigned flags, struct cfg *out,
                         struct cfg_diag *diag)
{
    memset(p, 0, sizeof(*p));
    p->cfg = out;
    p->diag = diag;
    p->flags = flags;
    cfg_init(out);
}

static int parser_finish(struct cfg_parser *p, size_t errors_before)
{
    p->line = 0;
    cfgp_finish_sources(p);
    cfgp_finish_nts(p);
    cfgp_finish_keys(p);
    if (p->cfg->controlsocket == NULL)
        p->cfg->controlsocket = cfgp_strdup(p, CFG_DEFAULT_CONTROLSOCKET);
    return p->diag->n_errors > errors_before ? -1 : 0;
}

int cfg_load_string(const char *name, const char *text, size_t len, unsigned flags, struct cfg *out,
                    struct cfg_diag *diag)
{
    struct cfg_parser p;
    size_t errors_before = diag->n_errors;
    parser_start(&p, flags, out, diag);
    p.file = name;
    if (len > CFG_MAX_FILE_SIZE) {
        cfgp_file_msg(&p, CFG_ERROR, name, "cannot read: %s", cfgp_read_error(EFBIG));
        return -1;
    }
    cfgp_parse_buffer(&p, name, text, len);
    return parser_finish(&p, errors_before);
}

int cfg_load_file(const char *path, unsigned flags, struct cfg *out, struct cfg_diag *diag)
{
    struct cfg_parser p;
    size_t errors_before = diag->n_errors;
    parser_start(&p, flags, out, diag);
    p.file = path;
    size_t len = 0;
    struct cfg_file_id id;
    char *text = read_file(path, &len, &id);
    if (text == NULL) {
        cfgp_file_msg(&p, CFG_ERROR, path, "cannot read: %s", cfgp_read_error(errno));
        return -1;
    }
    p.chain[p.chain_len++] = id;
    cfgp_parse_buffer(&p, path, text, len);
    free(text);
    return parser_finish(&p, errors_before);
}
