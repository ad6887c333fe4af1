// SPDX-License-Identifier: ISC
/* Credentials, capabilities and chroot (libcap-ng for the uid change, raw capget to verify). */
#include "config.h"

#include <cap-ng.h>
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "seccomp/sandbox.h"
#include "seccomp/sandbox_int.h"

int sbx_fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (errlen > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* ---- user and group ---- */

static bool parse_id(const char *s, unsigned long *id)
{
    char *end;
    if (!*s || strspn(s, "0123456789") != strlen(s))
        return false;
    errno = 0;
    *id = strtoul(s, &end, 10);
    return errno == 0 && *id < (unsigned long)UINT32_MAX;
}

static int lookup_group(const char *group, gid_t *gid, char *err, size_t errlen)
{
    unsigned long id;
    if (parse_id(group, &id)) {
        *gid = (gid_t)id;
        return 0;
    }
    struct group gr, *res = NULL;
    char buf[16384];
    int rc = getgrnam_r(group, &gr, buf, sizeof buf, &res);
    if (!res)
        return sbx_fail(err, errlen, "group %s: %s", group, rc ? strerror(rc) : "no such group");
    *gid = gr.gr_gid;
    return 0;
}

int sbx_lookup_user(const char *user, const char *group, uid_t *uid, gid_t *gid, char *err,
                    size_t errlen)
{
    unsigned long id;
    struct passwd pw, *res = NULL;
    char buf[16384];
    if (parse_id(user, &id)) {
        *uid = (uid_t)id;
        if (!group || !*group) /* only then is the passwd entry needed */
            getpwuid_r(*uid, &pw, buf, sizeof buf, &res);
    } else {
        int rc = getpwnam_r(user, &pw, buf, sizeof buf, &res);
        if (!res)
            return sbx_fail(err, errlen, "user %s: %s", user, rc ? strerror(rc) : "no such user");
        *uid = pw.pw_uid;
    }
    if (*uid == 0)
        return sbx_fail(err, errlen, "user %s is root: the sandbox needs an unprivileged user",
                        user);
    if (group && *group)
        return lookup_group(group, gid, err, errlen);
    if (!res)
        return sbx_fail(err, errlen, "uid %s has no passwd entry: give a group", user);
    *gid = pw.pw_gid;
    return 0;
}

/* ---- chroot directory ---- */

static int mkdir_parents(const char *dir, char *err, size_t errlen)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path)
        return sbx_fail(err, errlen, "chroot directory path too long");
    for (char *p = path + 1;; p++) {
        bool end = *p == '\0';
        if (*p == '/' || end) {
            *p = '\0';
            if (mkdir(path, 0755) < 0 && errno != EEXIST)
                return sbx_fail(err, errlen, "creating %s: %s", path, strerror(errno));
            if (end)
                return 0;
            *p = '/';
        }
    }
}

static int check_empty(const char *dir, char *err, size_t errlen)
{
    DIR *d = opendir(dir);
    if (!d)
        return sbx_fail(err, errlen, "chroot directory %s: %s", dir, strerror(errno));
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            rc = sbx_fail(err, errlen, "chroot directory %s is not empty (%s)", dir, e->d_name);
            break;
        }
    }
    closedir(d);
    return rc;
}

int sbx_prepare_chroot(const char *dir, char *err, size_t errlen)
{
    if (!dir || dir[0] != '/')
        return sbx_fail(err, errlen, "chroot directory must be an absolute path");
    if (mkdir_parents(dir, err, errlen) < 0)
        return -1;
    struct stat st;
    if (lstat(dir, &st) < 0)
        return sbx_fail(err, errlen, "chroot directory %s: %s", dir, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return sbx_fail(err, errlen, "chroot directory %s is not a directory", dir);
    if (st.st_uid != 0)
        return sbx_fail(err, errlen, "chroot directory %s is not owned by root", dir);
    if (st.st_mode & (S_IWGRP | S_IWOTH))
        return sbx_fail(err, errlen, "chroot directory %s is writable by group or others", dir);
    return check_empty(dir, err, errlen);
}

/* ---- capabilities, read and written with the raw system calls ---- */

struct caps {
    uint64_t effective, permitted, inheritable;
};

static int caps_get(struct caps *c)
{
    struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    if (syscall(SYS_capget, &hdr, data) < 0)
        return -1;
    c->effective = data[0].effective | (uint64_t)data[1].effective << 32;
    c->permitted = data[0].permitted | (uint64_t)data[1].permitted << 32;
    c->inheritable = data[0].inheritable | (uint64_t)data[1].inheritable << 32;
    return 0;
}

static int caps_set(const struct caps *c)
{
    struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2] = {
        {(uint32_t)c->effective, (uint32_t)c->permitted, (uint32_t)c->inheritable},
        {(uint32_t)(c->effective >> 32), (uint32_t)(c->permitted >> 32),
         (uint32_t)(c->inheritable >> 32)},
    };
    return (int)syscall(SYS_capset, &hdr, data);
}

static int caps_mask(const int *caps, size_t n, uint64_t *mask, char *err, size_t errlen)
{
    *mask = 0;
    for (size_t i = 0; i < n; i++) {
        if (caps[i] < 0 || caps[i] > CAP_LAST_CAP || caps[i] >= 64)
            return sbx_fail(err, errlen, "invalid capability number %d", caps[i]);
        *mask |= UINT64_C(1) << caps[i];
    }
    return 0;
}

int sbx_drop_caps(const int *caps, size_t n, char *err, size_t errlen)
{
    uint64_t mask;
    struct caps c;
    if (caps_mask(caps, n, &mask, err, errlen) < 0)
        return -1;
    if (caps_get(&c) < 0)
        return sbx_fail(err, errlen, "capget: %s", strerror(errno));
    c.effective &= ~mask;
    c.permitted &= ~mask;
    c.inheritable &= ~mask;
    if (caps_set(&c) < 0)
        return sbx_fail(err, errlen, "capset: %s", strerror(errno));
    return 0;
}

/* ---- dropping ---- */

static const char *capng_change_id_error(int rc)
{
    switch (rc) {
    case -2:
        return "PR_SET_KEEPCAPS failed";
    case -3:
        return "applying the intermediate capabilities failed";
    case -4:
        return "setresgid failed";
    case -5:
        return "setgroups failed";
    case -6:
        return "setresuid failed";
    case -7:
        return "clearing PR_SET_KEEPCAPS failed";
    case -8:
        return "clearing the bounding set failed";
    case -9:
        return "applying the final capabilities failed";
    default:
        return "libcap-ng not initialised";
    }
}

/* Capabilities only, ids unchanged: bounding set (needs CAP_SETPCAP unless already empty),
 * ambient set, then effective = permitted = keep (keep must be held already). */
static int restrict_caps(uint64_t keep, char *err, size_t errlen)
{
    for (int cap = 0; cap < 64; cap++) {
        int in_bounding = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
        if (in_bounding < 0)
            break; /* beyond the kernel's last capability */
        if (in_bounding == 1 && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
            return sbx_fail(err, errlen, "clearing the bounding set: %s", strerror(errno));
    }
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
        return sbx_fail(err, errlen, "clearing the ambient set: %s", strerror(errno));
    struct caps c = {keep, keep, 0};
    if (caps_set(&c) < 0)
        return sbx_fail(err, errlen, "capset: %s (a kept capability is not held?)",
                        strerror(errno));
    return 0;
}

/* uid and gid change with libcap-ng, keeping only keep in the effective and permitted sets;
 * supplementary groups, bounding and ambient sets emptied. */
static int change_id(uid_t uid, gid_t gid, uint64_t keep, char *err, size_t errlen)
{
    capng_clear(CAPNG_SELECT_ALL);
    for (int cap = 0; cap < 64; cap++)
        if (keep & (UINT64_C(1) << cap))
            capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, (unsigned)cap);
    int rc = capng_change_id((int)uid, (int)gid,
                             CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING | CAPNG_CLEAR_AMBIENT);
    if (rc < 0)
        return sbx_fail(err, errlen, "changing to uid %u gid %u: %s (%s)", (unsigned)uid,
                        (unsigned)gid, capng_change_id_error(rc), strerror(errno));
    return 0;
}

/* Already running as uid/gid without supplementary groups (a child of a dropped parent)? */
static bool already_ids(uid_t uid, gid_t gid)
{
    uid_t ru, eu, su;
    gid_t rg, eg, sg;
    return getresuid(&ru, &eu, &su) == 0 && getresgid(&rg, &eg, &sg) == 0 && ru == uid &&
           eu == uid && su == uid && rg == gid && eg == gid && sg == gid && getgroups(0, NULL) == 0;
}

/* Check the result instead of trusting it: ids, groups, capability sets, no way back. */
static int verify(bool changed, uid_t uid, gid_t gid, uint64_t keep, char *err, size_t errlen)
{
    uid_t ru, eu, su;
    gid_t rg, eg, sg;
    if (getresuid(&ru, &eu, &su) < 0 || getresgid(&rg, &eg, &sg) < 0)
        return sbx_fail(err, errlen, "getresuid: %s", strerror(errno));
    if (changed && (ru != uid || eu != uid || su != uid || rg != gid || eg != gid || sg != gid))
        return sbx_fail(err, errlen, "uid/gid change did not take effect");
    if (changed && getgroups(0, NULL) != 0)
        return sbx_fail(err, errlen, "supplementary groups remain");
    struct caps c;
    if (caps_get(&c) < 0)
        return sbx_fail(err, errlen, "capget: %s", strerror(errno));
    if (c.effective != keep || c.permitted != keep || c.inheritable != 0)
        return sbx_fail(err, errlen,
                        "capabilities not as requested (effective %#llx, permitted %#llx, "
                        "wanted %#llx)",
                        (unsigned long long)c.effective, (unsigned long long)c.permitted,
                        (unsigned long long)keep);
    for (int cap = 0; cap < 64; cap++)
        if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1)
            return sbx_fail(err, errlen, "capability %d left in the bounding set", cap);
    if (changed && !(keep & (UINT64_C(1) << CAP_SETUID)) && setuid(0) == 0)
        return sbx_fail(err, errlen, "setuid(0) succeeded after dropping privileges");
    if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1 || prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0)
        return sbx_fail(err, errlen, "no_new_privs or dumpable not set");
    return 0;
}

static int drop(bool change, uid_t uid, gid_t gid, const char *chroot_dir, uint64_t keep, char *err,
                size_t errlen)
{
    if (chroot_dir) {
        if (sbx_prepare_chroot(chroot_dir, err, errlen) < 0)
            return -1;
        if (chroot(chroot_dir) < 0 || chdir("/") < 0)
            return sbx_fail(err, errlen, "chroot %s: %s", chroot_dir, strerror(errno));
    }
    if (change && !already_ids(uid, gid)) {
        if (change_id(uid, gid, keep, err, errlen) < 0)
            return -1;
    } else if (restrict_caps(keep, err, errlen) < 0) {
        return -1;
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return sbx_fail(err, errlen, "PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
        return sbx_fail(err, errlen, "PR_SET_DUMPABLE: %s", strerror(errno));
    return verify(change, uid, gid, keep, err, errlen);
}

int sbx_drop_privileges(const char *user, const char *group, const char *chroot_dir,
                        const int *keep_caps, size_t n_keep, char *err, size_t errlen)
{
    uid_t uid = 0;
    gid_t gid = 0;
    uint64_t keep;
    if (caps_mask(keep_caps, n_keep, &keep, err, errlen) < 0)
        return -1;
    if (user && sbx_lookup_user(user, group, &uid, &gid, err, errlen) < 0)
        return -1;
    return drop(user != NULL, uid, gid, chroot_dir, keep, err, errlen);
}

int sbx_drop_privileges_ids(uid_t uid, gid_t gid, const char *chroot_dir, const int *keep_caps,
                            size_t n_keep, char *err, size_t errlen)
{
    uint64_t keep;
    if (uid == 0)
        return sbx_fail(err, errlen, "uid 0: the sandbox needs an unprivileged user");
    if (caps_mask(keep_caps, n_keep, &keep, err, errlen) < 0)
        return -1;
    return drop(true, uid, gid, chroot_dir, keep, err, errlen);
}
