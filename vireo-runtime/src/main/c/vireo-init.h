/*
 * vireo-init: the part of the Vireo container runtime that must run between clone and exec.
 *
 * The JVM decides everything and sends a plan (PLAN.md describes the format); this program
 * carries it out in a single-threaded process, which is what unshare(CLONE_NEWUSER), setns
 * into a mount namespace and everything after fork need. It reports errors as text over the
 * control socket, and never decides anything the plan does not say.
 */
#ifndef VIREO_INIT_H
#define VIREO_INIT_H

#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <linux/filter.h>

#define PLAN_MAGIC 0x4e4c5056u /* "VPLN" little-endian */
#define PLAN_VERSION 1u

/* Plan record tags (PLAN.md). */
enum {
    T_MODE = 1, T_NS_NEW, T_NS_JOIN, T_OOM_SCORE_ADJ, T_RLIMIT, T_ROOTFS, T_ROOTFS_PROPAGATION,
    T_ROOT_READONLY, T_NO_PIVOT, T_MOUNT, T_DEVICE, T_SYMLINK, T_MASKED, T_READONLY, T_SYSCTL,
    T_HOSTNAME, T_DOMAINNAME, T_CAPS, T_USER, T_NO_NEW_PRIVS, T_SECCOMP, T_CWD, T_ARGS, T_ENV,
    T_EXEC_FIFO, T_HOOK, T_TERMINAL, T_LOOPBACK, T_PRESERVE_FDS, T_RUNTIME_HOOKS, T_PERSONALITY,
    T_IOPRIO, T_SCHEDULER, T_AFFINITY, T_TIME_OFFSETS
};

enum { MODE_CREATE = 1, MODE_EXEC = 2 };
enum { KIND_DIR = 0, KIND_FILE = 1, KIND_EXISTING = 2 };
enum { HOOK_CREATE_CONTAINER = 1, HOOK_START_CONTAINER = 2 };

/* Control messages (PLAN.md): JVM to helper, then helper to JVM. */
enum { M_ACK = 1, M_GO = 2, M_JOINED = 3 };
enum { M_USERMAP = 10, M_PID = 11, M_HOOKS = 12, M_READY = 13, M_ERROR = 14, M_CONSOLE = 15, M_WARN = 16 };

struct strv { char **v; size_t n; };

struct mount_op { uint64_t flags, remount, propagation, kind; char *source, *target, *type, *data; };
struct device_op { uint64_t type, major, minor, mode, uid, gid, bind; char *path, *host; };
struct link_op { char *target, *path; };
struct sysctl_op { char *key, *value; };
struct ns_join { uint64_t flag; char *path; };
struct rlimit_op { uint64_t resource, soft, hard; };
struct hook { uint64_t kind, timeout; char *path; struct strv args, env; };

struct plan {
    uint64_t mode, ns_new;
    struct ns_join *joins; size_t njoins;
    int has_oom; int64_t oom;
    struct rlimit_op *rlimits; size_t nrlimits;
    char *rootfs; uint64_t rootfs_propagation; int root_readonly, no_pivot;
    struct mount_op *mounts; size_t nmounts;
    struct device_op *devices; size_t ndevices;
    struct link_op *links; size_t nlinks;
    struct strv masked, readonly;
    struct sysctl_op *sysctls; size_t nsysctls;
    char *hostname, *domainname;
    int has_caps; uint64_t bounding, effective, permitted, inheritable, ambient;
    int has_user; uint64_t uid, gid, umask; uint64_t *gids; size_t ngids;
    int no_new_privs;
    struct sock_filter *filter; size_t nfilter; uint64_t seccomp_flags, seccomp_early;
    char *cwd; struct strv args, env;
    char *fifo; uint64_t fifo_uid, fifo_gid;
    struct hook *hooks; size_t nhooks;
    int terminal; uint64_t rows, cols; char *console_socket;
    int loopback, runtime_hooks;
    uint64_t preserve_fds;
    int has_personality; uint64_t personality;
    int has_ioprio; uint64_t ioprio;
    int has_scheduler; uint64_t sched[7]; /* policy, nice, priority, flags, runtime, deadline, period */
    uint64_t *affinity; size_t naffinity;
    int has_time_offsets; int64_t time_offsets[4]; /* monotonic s, ns, boottime s, ns */
};

/* sync.c: the control socket and error reporting. */
extern int sync_fd, sync_turn;
void send_msg(uint32_t type, const void *payload, uint32_t length);
void send_fd_msg(int socket, uint32_t type, int fd, const char *text);
void *recv_msg(uint32_t expected, uint32_t *length);
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void die_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* plan.c */
void read_plan(int fd, struct plan *plan);

/* rootfs.c */
void setup_rootfs(const struct plan *plan);
void enter_rootfs(const struct plan *plan);
void finish_rootfs(const struct plan *plan);
void setup_console(const struct plan *plan, int console_socket, int in_container);
void loopback_up(void);

/* process.c */
void set_rlimits(const struct plan *plan);
void set_oom_score_adj(const struct plan *plan);
void run_hooks(const struct plan *plan, uint64_t kind, const char *state);
const char *find_executable(const struct plan *plan);
void wait_for_start(int fifo_fd);
void finish_process(const struct plan *plan, const char *executable, int chdir_after_user);

#endif
