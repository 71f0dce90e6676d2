/* Decoding the plan the JVM sends (format in PLAN.md). Strings point into the plan's buffer. */
#include "vireo-init.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct cursor { const char *p, *end; uint32_t tag; };

static void need(struct cursor *c, size_t n)
{
    if ((size_t)(c->end - c->p) < n) die("plan: record %u is truncated", c->tag);
}

static uint64_t u64(struct cursor *c)
{
    uint64_t v;
    need(c, 8);
    memcpy(&v, c->p, 8);
    c->p += 8;
    return v;
}

/* A string is a 32-bit length, the bytes, then a NUL the length does not count. */
static char *str(struct cursor *c)
{
    uint32_t n;
    need(c, 4);
    memcpy(&n, c->p, 4);
    c->p += 4;
    need(c, (size_t)n + 1);
    char *s = (char *)c->p;
    if (s[n] != '\0' || memchr(s, '\0', n) != NULL) die("plan: record %u has a malformed string", c->tag);
    c->p += n + 1;
    return s;
}

static struct strv strv(struct cursor *c)
{
    struct strv v;
    v.n = (size_t)u64(c);
    if (v.n > (size_t)(c->end - c->p)) die("plan: record %u has a bad count", c->tag);
    v.v = calloc(v.n + 1, sizeof(char *));
    if (v.v == NULL) die("out of memory");
    for (size_t i = 0; i < v.n; i++) v.v[i] = str(c);
    return v;
}

/* Appends one zeroed element to a growing array and returns it. */
static void *grow(void *array, size_t *count, size_t size)
{
    char *a = realloc(array, (*count + 1) * size);
    if (a == NULL) die("out of memory");
    memset(a + *count * size, 0, size);
    (*count)++;
    return a;
}
#define APPEND(array, count) ((array) = grow((array), &(count), sizeof *(array)), &(array)[(count) - 1])

static void read_full(int fd, void *buf, size_t n)
{
    char *p = buf;
    while (n > 0) {
        ssize_t r = read(fd, p, n);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) _exit(1); /* the JVM went away before sending a plan */
        p += r;
        n -= (size_t)r;
    }
}

static void record(struct plan *plan, struct cursor *c)
{
    switch (c->tag) {
    case T_MODE: plan->mode = u64(c); break;
    case T_NS_NEW: plan->ns_new = u64(c); break;
    case T_NS_JOIN: {
        struct ns_join *j = APPEND(plan->joins, plan->njoins);
        j->flag = u64(c);
        j->path = str(c);
        break;
    }
    case T_OOM_SCORE_ADJ: plan->has_oom = 1; plan->oom = (int64_t)u64(c); break;
    case T_RLIMIT: {
        struct rlimit_op *r = APPEND(plan->rlimits, plan->nrlimits);
        r->resource = u64(c);
        r->soft = u64(c);
        r->hard = u64(c);
        break;
    }
    case T_ROOTFS: plan->rootfs = str(c); break;
    case T_ROOTFS_PROPAGATION: plan->rootfs_propagation = u64(c); break;
    case T_ROOT_READONLY: plan->root_readonly = 1; break;
    case T_NO_PIVOT: plan->no_pivot = 1; break;
    case T_MOUNT: {
        struct mount_op *m = APPEND(plan->mounts, plan->nmounts);
        m->flags = u64(c);
        m->remount = u64(c);
        m->propagation = u64(c);
        m->kind = u64(c);
        m->source = str(c);
        m->target = str(c);
        m->type = str(c);
        m->data = str(c);
        break;
    }
    case T_DEVICE: {
        struct device_op *d = APPEND(plan->devices, plan->ndevices);
        d->type = u64(c);
        d->major = u64(c);
        d->minor = u64(c);
        d->mode = u64(c);
        d->uid = u64(c);
        d->gid = u64(c);
        d->bind = u64(c);
        d->path = str(c);
        d->host = str(c);
        break;
    }
    case T_SYMLINK: {
        struct link_op *l = APPEND(plan->links, plan->nlinks);
        l->target = str(c);
        l->path = str(c);
        break;
    }
    case T_MASKED: *APPEND(plan->masked.v, plan->masked.n) = str(c); break;
    case T_READONLY: *APPEND(plan->readonly.v, plan->readonly.n) = str(c); break;
    case T_SYSCTL: {
        struct sysctl_op *s = APPEND(plan->sysctls, plan->nsysctls);
        s->key = str(c);
        s->value = str(c);
        break;
    }
    case T_HOSTNAME: plan->hostname = str(c); break;
    case T_DOMAINNAME: plan->domainname = str(c); break;
    case T_CAPS:
        plan->has_caps = 1;
        plan->bounding = u64(c);
        plan->effective = u64(c);
        plan->permitted = u64(c);
        plan->inheritable = u64(c);
        plan->ambient = u64(c);
        break;
    case T_USER: {
        plan->has_user = 1;
        plan->uid = u64(c);
        plan->gid = u64(c);
        plan->umask = u64(c);
        plan->ngids = (size_t)u64(c);
        if (plan->ngids > 65536) die("plan: too many additional groups");
        plan->gids = calloc(plan->ngids + 1, sizeof(uint64_t));
        if (plan->gids == NULL) die("out of memory");
        for (size_t i = 0; i < plan->ngids; i++) plan->gids[i] = u64(c);
        break;
    }
    case T_NO_NEW_PRIVS: plan->no_new_privs = 1; break;
    case T_SECCOMP: {
        plan->seccomp_flags = u64(c);
        plan->seccomp_early = u64(c);
        plan->nfilter = (size_t)u64(c);
        if (plan->nfilter == 0 || plan->nfilter > 4096) die("plan: a seccomp program has 1 to 4096 instructions");
        need(c, plan->nfilter * sizeof(struct sock_filter));
        plan->filter = malloc(plan->nfilter * sizeof(struct sock_filter));
        if (plan->filter == NULL) die("out of memory");
        memcpy(plan->filter, c->p, plan->nfilter * sizeof(struct sock_filter));
        c->p += plan->nfilter * sizeof(struct sock_filter);
        break;
    }
    case T_CWD: plan->cwd = str(c); break;
    case T_ARGS: plan->args = strv(c); break;
    case T_ENV: plan->env = strv(c); break;
    case T_EXEC_FIFO:
        plan->fifo = str(c);
        plan->fifo_uid = u64(c);
        plan->fifo_gid = u64(c);
        break;
    case T_HOOK: {
        struct hook *h = APPEND(plan->hooks, plan->nhooks);
        h->kind = u64(c);
        h->timeout = u64(c);
        h->path = str(c);
        h->args = strv(c);
        h->env = strv(c);
        break;
    }
    case T_TERMINAL:
        plan->terminal = 1;
        plan->rows = u64(c);
        plan->cols = u64(c);
        plan->console_socket = str(c);
        break;
    case T_LOOPBACK: plan->loopback = 1; break;
    case T_PRESERVE_FDS: plan->preserve_fds = u64(c); break;
    case T_RUNTIME_HOOKS: plan->runtime_hooks = 1; break;
    case T_PERSONALITY: plan->has_personality = 1; plan->personality = u64(c); break;
    case T_IOPRIO: plan->has_ioprio = 1; plan->ioprio = u64(c); break;
    case T_SCHEDULER:
        plan->has_scheduler = 1;
        for (int i = 0; i < 7; i++) plan->sched[i] = u64(c);
        break;
    case T_AFFINITY:
        plan->naffinity = (size_t)u64(c);
        if (plan->naffinity == 0 || plan->naffinity > 1024) die("plan: a CPU mask has 1 to 1024 words");
        plan->affinity = calloc(plan->naffinity, sizeof(uint64_t));
        if (plan->affinity == NULL) die("out of memory");
        for (size_t i = 0; i < plan->naffinity; i++) plan->affinity[i] = u64(c);
        break;
    case T_TIME_OFFSETS:
        plan->has_time_offsets = 1;
        for (int i = 0; i < 4; i++) plan->time_offsets[i] = (int64_t)u64(c);
        break;
    default:
        die("plan: unknown record %u (the JVM and this helper come from different builds)", c->tag);
    }
    if (c->p != c->end) die("plan: record %u has %zu bytes too many", c->tag, (size_t)(c->end - c->p));
}

void read_plan(int fd, struct plan *plan)
{
    uint32_t header[3];
    read_full(fd, header, sizeof header);
    if (header[0] != PLAN_MAGIC) die("plan: bad magic number %#x", header[0]);
    if (header[1] != PLAN_VERSION) die("plan: version %u, this helper reads version %u", header[1], PLAN_VERSION);
    if (header[2] > (64u << 20)) die("plan: %u bytes is too large", header[2]);
    char *body = malloc((size_t)header[2] + 1);
    if (body == NULL) die("out of memory");
    read_full(fd, body, header[2]);

    memset(plan, 0, sizeof *plan);
    const char *p = body, *end = body + header[2];
    while (p < end) {
        uint32_t tag, length;
        if ((size_t)(end - p) < 8) die("plan: truncated record header");
        memcpy(&tag, p, 4);
        memcpy(&length, p + 4, 4);
        p += 8;
        if ((size_t)(end - p) < length) die("plan: record %u is longer than the plan", tag);
        struct cursor c = { p, p + length, tag };
        record(plan, &c);
        p += length;
    }
    if (plan->mode != MODE_CREATE && plan->mode != MODE_EXEC) die("plan: no mode");
    if (plan->args.n == 0) die("plan: no process arguments");
}
