// SPDX-License-Identifier: ISC
/* Internal interface shared by the daemon/config_*.c files; not for other modules. */
#ifndef TSYNC_CONFIG_INT_H
#define TSYNC_CONFIG_INT_H

#include <sys/stat.h>
#include <sys/types.h>

#include "daemon/config/config.h"

/* One file of the current includefile chain (for loop detection). */
struct cfg_file_id {
    dev_t dev;
    ino_t ino;
};

struct cfg_parser {
    struct cfg *cfg;
    struct cfg_diag *diag;
    unsigned flags;      /* CFG_STRICT, CFG_NO_INCLUDE */
    const char *file;    /* name of the file being parsed, for messages */
    const char *dir;     /* its directory, for relative includefile paths */
    unsigned line;       /* current line number, 1-based */
    int depth;           /* includefile nesting level, 0 for the main file */
    unsigned n_includes; /* includefile directives followed so far */
    struct cfg_file_id chain[CFG_MAX_INCLUDE_DEPTH + 1];
    int chain_len;
    /* ntpd's undisciplined local clock: "server 127.127.1.0" + "fudge 127.127.1.0 stratum N" */
    bool local_clock_server;
    int local_clock_fudge_stratum; /* 0: no fudge line */
    bool nts_disable;              /* `nts disable` was given */
    /* "FILE:LINE" of the keys line and of each source line with a key (by source index), for
     * the checks made once the whole configuration is read; freed by cfgp_finish_keys(). */
    char *keys_where;
    char *keyed_source_where[CFG_MAX_SOURCES];
};

/* A tokenised line: argv[0] is the directive. */
struct cfg_line {
    int argc;
    char *argv[CFG_MAX_WORDS];
};

/* Diagnostics at the current file:line. cfgp_unknown is an error under CFG_STRICT. */
void cfgp_error(struct cfg_parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cfgp_warn(struct cfg_parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cfgp_unknown(struct cfg_parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Adds a message for a whole file (no line number). */
void cfgp_file_msg(struct cfg_parser *p, enum cfg_level level, const char *file, const char *fmt,
                   ...) __attribute__((format(printf, 4, 5)));

/* Size of the buffer cfgp_word() needs. */
#define CFGP_WORD_BUF 80

/* A printable, length-limited copy of a word for messages (non-printable bytes as '?'). */
const char *cfgp_word(const char *word, char buf[CFGP_WORD_BUF]);

/*
 * Value parsers: on failure they add an error naming what (e.g. "minpoll") and the word, and
 * return false. Integers are decimal; doubles reject NaN and infinity.
 */
bool cfgp_long(struct cfg_parser *p, const char *what, const char *word, long min, long max,
               long *out);
bool cfgp_double(struct cfg_parser *p, const char *what, const char *word, double min, double max,
                 double *out);

/* The argument after argv[*i] (advancing *i), or NULL with an error "missing value for what". */
const char *cfgp_arg(struct cfg_parser *p, const struct cfg_line *l, int *i, const char *what);

/*
 * After an unknown option at argv[*i]: skips the next word when it is a number, taken to be the
 * option's value (chrony-style "maxdelay 0.3"), so that one unknown option gives one warning.
 */
void cfgp_skip_value(const struct cfg_line *l, int *i);

/* strdup that reports "out of memory" as an error and returns NULL. */
char *cfgp_strdup(struct cfg_parser *p, const char *s);

/* Replaces *slot by a copy of s (for directives where the last one wins). */
void cfgp_set_string(struct cfg_parser *p, char **slot, const char *s);

/*
 * Parses ADDR, ADDR/LEN or [ADDR] into out with a full-length mask (or the /LEN prefix).
 * Returns false without a message when word is not an address literal.
 */
bool cfgp_parse_net(const char *word, struct cfg_net *out);

/* Parses a dotted or IPv6 mask of the given family into mask. */
bool cfgp_parse_mask(const char *word, enum cfg_family family, uint8_t mask[16]);

/* Applies mask to net->addr and stores it in net->mask. */
void cfgp_apply_mask(struct cfg_net *net, const uint8_t mask[16]);

/* True for a plausible host name or address literal (letters, digits, "-._:%[]"). */
bool cfgp_valid_host(const char *s);

/* Number of bytes of an address of the family (4 or 16). */
size_t cfgp_addr_len(enum cfg_family family);

/* Handles one tokenised line (config_directives.c). */
void cfgp_dispatch(struct cfg_parser *p, const struct cfg_line *l);

/* Parses text[0..len) as the content of file name (config_parse.c); used by includefile. */
void cfgp_parse_buffer(struct cfg_parser *p, const char *name, const char *text, size_t len);

/*
 * Reads a whole regular file of at most CFG_MAX_FILE_SIZE bytes (config_parse.c). Returns the
 * malloc'd content (length in *len, the file's fstat in *st) or NULL with errno set (EFBIG: too
 * large, EINVAL: not a regular file, EAGAIN: the file grew while being read).
 */
char *cfgp_read_file(const char *path, size_t *len, struct stat *st);

/* A message for a cfgp_read_file() errno value. */
const char *cfgp_read_error(int err);

/* Follows "includefile path" (config_parse.c). */
void cfgp_include(struct cfg_parser *p, const char *path);

/* Directive handlers in config_sources.c and config_access.c. */
void cfgp_dir_server(struct cfg_parser *p, const struct cfg_line *l);
void cfgp_dir_fudge(struct cfg_parser *p, const struct cfg_line *l);
void cfgp_dir_refclock(struct cfg_parser *p, const struct cfg_line *l);
void cfgp_dir_hwtimestamp(struct cfg_parser *p, const struct cfg_line *l);
void cfgp_dir_local(struct cfg_parser *p, const struct cfg_line *l);
void cfgp_dir_restrict(struct cfg_parser *p, const struct cfg_line *l);
void cfgp_dir_unrestrict(struct cfg_parser *p, const struct cfg_line *l);
void cfgp_dir_allow_deny(struct cfg_parser *p, const struct cfg_line *l);
void cfgp_dir_ratelimit(struct cfg_parser *p, const struct cfg_line *l);
void cfgp_dir_observe(struct cfg_parser *p, const struct cfg_line *l); /* config_observe.c */
/* Writes the metrics, clockbound and vmclock settings (config_observe.c). */
void cfgp_print_observe(const struct cfg *c, FILE *out);

/* Authentication directives (config_keys.c): keys, trustedkey, controlkey, requestkey. */
void cfgp_dir_keys(struct cfg_parser *p, const struct cfg_line *l);
void cfgp_dir_trustedkey(struct cfg_parser *p, const struct cfg_line *l);
void cfgp_dir_keyid(struct cfg_parser *p, const struct cfg_line *l);

/* Remembers where source index (just added, with a key) was configured. */
void cfgp_keyed_source(struct cfg_parser *p, size_t index);

/*
 * Settings refused because ignoring them would lower security (config_security.c); each gives
 * an error with a hint. The bool functions return true when they handled the item.
 */
bool cfgp_refused_directive(struct cfg_parser *p, const struct cfg_line *l);
void cfgp_dir_interface(struct cfg_parser *p, const struct cfg_line *l);
/* A server/pool option at argv[*i] (its values skipped). */
bool cfgp_refused_server_option(struct cfg_parser *p, const struct cfg_line *l, int *i);
/* enable/disable FLAG with a meaning of its own (disable ntp: error; auth: always on). */
bool cfgp_enable_flag(struct cfg_parser *p, const char *directive, const char *flag);
/* restrict flags tsyncd cannot honour for this rule (errors); false if there was one. */
bool cfgp_restrict_flags_ok(struct cfg_parser *p, const struct cfg_restrict *r);

/* After the whole configuration: reads the keys file, keeps its trusted keys, checks every
 * source key (config_keys.c). */
void cfgp_finish_keys(struct cfg_parser *p);
/* config_stats.c */
void cfgp_dir_statsdir(struct cfg_parser *p, const struct cfg_line *l);
void cfgp_dir_statistics(struct cfg_parser *p, const struct cfg_line *l);
void cfgp_dir_filegen(struct cfg_parser *p, const struct cfg_line *l);
void cfgp_dir_logident(struct cfg_parser *p, const struct cfg_line *l);
void cfgp_print_stats(const struct cfg *c, FILE *out);

/* After the whole configuration is read: cross-line checks (local clock fudge, ...). */
void cfgp_finish_sources(struct cfg_parser *p);

/* NTS directives (config_nts.c): NTPsec's `nts` family and chrony's nts* directives, and the
 * NTS options of server/pool lines (true when argv[*i] was one). */
void cfgp_dir_nts(struct cfg_parser *p, const struct cfg_line *l);
void cfgp_dir_nts_chrony(struct cfg_parser *p, const struct cfg_line *l);
bool cfgp_nts_server_option(struct cfg_parser *p, const struct cfg_line *l, int *i,
                            struct cfg_source *s);
/* A server/pool line's NTS options against the rest: nts with xleave or key is an error. */
void cfgp_nts_check_source(struct cfg_parser *p, const struct cfg_source *s);
void cfgp_finish_nts(struct cfg_parser *p);
/* Frees the NTS strings of c (cfg_free). */
void cfgp_free_nts(struct cfg *c);

#endif
