/*
 * The container's process: limits, hooks run from inside, the wait for `start`, and the last
 * steps before execve (identity, capabilities, no_new_privs, seccomp, descriptors).
 */
#include "vireo-init.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <grp.h>
#include <unistd.h>

static const char *const RLIMIT_NAMES[] = {
    "RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_CORE", "RLIMIT_RSS",
    "RLIMIT_NPROC", "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS", "RLIMIT_LOCKS",
    "RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_RTPRIO", "RLIMIT_RTTIME",
};

void set_rlimits(const struct plan *plan)
{
    for (size_t i = 0; i < plan->nrlimits; i++) {
        const struct rlimit_op *r = &plan->rlimits[i];
        struct rlimit limit = { (rlim_t)r->soft, (rlim_t)r->hard };
        const char *name = r->resource < 16 ? RLIMIT_NAMES[r->resource] : "rlimit";
        if (setrlimit((int)r->resource, &limit) < 0) {
            if (errno == EPERM) {
                struct rlimit now;
                getrlimit((int)r->resource, &now);
                die("process.rlimits %s: cannot raise the hard limit to %llu above this host's %llu "
                    "without CAP_SYS_RESOURCE", name, (unsigned long long)r->hard, (unsigned long long)now.rlim_max);
            }
            die_errno("process.rlimits %s: setrlimit", name);
        }
    }
}

void set_oom_score_adj(const struct plan *plan)
{
    if (!plan->has_oom) return;
    char text[32];
    int n = snprintf(text, sizeof text, "%lld", (long long)plan->oom);
    int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, text, (size_t)n) != n) {
        if (errno == EACCES || errno == EPERM) {
            die_errno("process.oomScoreAdj %lld: lowering it needs CAP_SYS_RESOURCE", (long long)plan->oom);
        }
        die_errno("process.oomScoreAdj: write /proc/self/oom_score_adj");
    }
    close(fd);
}

/* Runs one hook with the state on its stdin, within its timeout. */
static void run_hook(const struct hook *h, const char *kind, size_t index, const char *state)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0) die_errno("pipe");
    pid_t pid = fork();
    if (pid < 0) die_errno("fork for hooks.%s[%zu]", kind, index);
    if (pid == 0) {
        if (dup2(p[0], STDIN_FILENO) < 0) _exit(127);
        char *fallback[] = { h->path, NULL };
        execve(h->path, h->args.n > 0 ? h->args.v : fallback, h->env.v);
        dprintf(STDERR_FILENO, "vireo-init: hooks.%s[%zu]: exec %s: %s\n", kind, index, h->path, strerror(errno));
        _exit(127);
    }
    close(p[0]);
    /* A hook that does not read its stdin must not kill this process with SIGPIPE. */
    signal(SIGPIPE, SIG_IGN);
    size_t length = strlen(state), done = 0;
    while (done < length) {
        ssize_t n = write(p[1], state + done, length - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        done += (size_t)n;
    }
    close(p[1]);
    signal(SIGPIPE, SIG_DFL);

    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    if (pidfd < 0) die_errno("pidfd_open");
    struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
    int timeout = h->timeout > 0 ? (int)h->timeout * 1000 : -1, r;
    do r = poll(&pfd, 1, timeout); while (r < 0 && errno == EINTR);
    close(pidfd);
    if (r == 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        die("hooks.%s[%zu] (%s) did not finish within its timeout of %llu s", kind, index, h->path,
            (unsigned long long)h->timeout);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) die_errno("wait for hooks.%s[%zu]", kind, index);
    }
    if (WIFSIGNALED(status)) die("hooks.%s[%zu] (%s) was killed by signal %d", kind, index, h->path, WTERMSIG(status));
    if (WEXITSTATUS(status) != 0) {
        die("hooks.%s[%zu] (%s) failed with exit status %d", kind, index, h->path, WEXITSTATUS(status));
    }
}

void run_hooks(const struct plan *plan, uint64_t kind, const char *state)
{
    const char *name = kind == HOOK_CREATE_CONTAINER ? "createContainer" : "startContainer";
    size_t index = 0;
    for (size_t i = 0; i < plan->nhooks; i++) {
        if (plan->hooks[i].kind == kind) run_hook(&plan->hooks[i], name, index++, state);
    }
}

static const char *env_value(const struct plan *plan, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < plan->env.n; i++) {
        if (strncmp(plan->env.v[i], name, n) == 0 && plan->env.v[i][n] == '=') return plan->env.v[i] + n + 1;
    }
    return NULL;
}

static int executable(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111) != 0;
}

/* execvp's search, done before `start` so that a missing program fails `create`, as in runc. */
const char *find_executable(const struct plan *plan)
{
    const char *name = plan->args.v[0];
    if (strchr(name, '/') != NULL) {
        if (!executable(name)) die_errno("exec: %s is not an executable file", name);
        return name;
    }
    const char *path = env_value(plan, "PATH");
    if (path == NULL) path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    while (*path != '\0') {
        const char *end = strchrnul(path, ':');
        size_t dir = (size_t)(end - path);
        char *candidate = malloc(dir + strlen(name) + 3);
        if (candidate == NULL) die("out of memory");
        if (dir == 0) strcpy(candidate, name);
        else sprintf(candidate, "%.*s/%s", (int)dir, path, name);
        if (executable(candidate)) return candidate;
        free(candidate);
        path = *end == ':' ? end + 1 : end;
    }
    die("exec: \"%s\": executable file not found in $PATH", name);
}

/* Blocks until `start` opens the FIFO for reading, then tells it the process goes ahead. */
void wait_for_start(int fifo_fd)
{
    char path[32];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fifo_fd);
    int fd;
    do fd = open(path, O_WRONLY | O_CLOEXEC); while (fd < 0 && errno == EINTR);
    if (fd < 0) die_errno("open the exec FIFO");
    if (write(fd, "0", 1) != 1) die_errno("write the exec FIFO");
    close(fd);
    close(fifo_fd);
}

/* struct sched_attr (first version), which glibc 2.36 does not declare. */
struct sched_attr_v1 {
    uint32_t size, sched_policy;
    uint64_t sched_flags;
    int32_t sched_nice;
    uint32_t sched_priority;
    uint64_t sched_runtime, sched_deadline, sched_period;
};

static void set_scheduling(const struct plan *plan)
{
    if (plan->has_personality && personality((unsigned long)plan->personality) < 0) die_errno("personality");
    if (plan->has_ioprio && syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0, (int)plan->ioprio) < 0) {
        die_errno("process.ioPriority: ioprio_set");
    }
    if (plan->has_scheduler) {
        struct sched_attr_v1 attr = {
            .size = sizeof attr, .sched_policy = (uint32_t)plan->sched[0], .sched_nice = (int32_t)plan->sched[1],
            .sched_priority = (uint32_t)plan->sched[2], .sched_flags = plan->sched[3],
            .sched_runtime = plan->sched[4], .sched_deadline = plan->sched[5], .sched_period = plan->sched[6],
        };
        if (syscall(SYS_sched_setattr, 0, &attr, 0) < 0) die_errno("process.scheduler: sched_setattr");
    }
    if (plan->naffinity > 0 && syscall(SYS_sched_setaffinity, 0, plan->naffinity * 8, plan->affinity) < 0) {
        die_errno("process.execCPUAffinity: sched_setaffinity");
    }
}

static void install_seccomp(const struct plan *plan)
{
    struct sock_fprog prog = { .len = (unsigned short)plan->nfilter, .filter = plan->filter };
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, (unsigned int)plan->seccomp_flags, &prog) < 0) {
        die_errno("linux.seccomp: install the filter");
    }
}

static void set_identity_and_capabilities(const struct plan *plan)
{
    if (plan->has_caps) {
        /* The bounding set is dropped while CAP_SETPCAP is still effective. */
        for (int cap = 0; cap < 64; cap++) {
            if ((plan->bounding >> cap) & 1) continue;
            if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL) die_errno("drop capability %d", cap);
        }
    }
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) die_errno("prctl(PR_SET_KEEPCAPS)");
    if (plan->has_user) {
        gid_t *gids = calloc(plan->ngids + 1, sizeof(gid_t));
        if (gids == NULL) die("out of memory");
        for (size_t i = 0; i < plan->ngids; i++) gids[i] = (gid_t)plan->gids[i];
        if (setgroups(plan->ngids, gids) < 0) die_errno("process.user.additionalGids: setgroups");
        free(gids);
        if (setresgid((gid_t)plan->gid, (gid_t)plan->gid, (gid_t)plan->gid) < 0) {
            die_errno("process.user.gid %llu: setresgid", (unsigned long long)plan->gid);
        }
        if (setresuid((uid_t)plan->uid, (uid_t)plan->uid, (uid_t)plan->uid) < 0) {
            die_errno("process.user.uid %llu: setresuid", (unsigned long long)plan->uid);
        }
    }
    if (plan->has_caps) {
        struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };
        struct __user_cap_data_struct data[2];
        for (int i = 0; i < 2; i++) {
            data[i].effective = (uint32_t)(plan->effective >> (32 * i));
            data[i].permitted = (uint32_t)(plan->permitted >> (32 * i));
            data[i].inheritable = (uint32_t)(plan->inheritable >> (32 * i));
        }
        if (syscall(SYS_capset, &header, data) < 0) die_errno("process.capabilities: capset");
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL) {
            die_errno("clear the ambient capabilities");
        }
        for (int cap = 0; cap < 64; cap++) {
            if (((plan->ambient >> cap) & 1) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0) {
                die_errno("process.capabilities.ambient: raise capability %d", cap);
            }
        }
    }
    if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) die_errno("prctl(PR_SET_KEEPCAPS)");
}

void finish_process(const struct plan *plan, const char *executable, int chdir_after_user)
{
    set_scheduling(plan);
    if (plan->has_user) umask((mode_t)plan->umask);
    /* Without no_new_privs, installing a filter needs CAP_SYS_ADMIN: then it goes in first. */
    if (plan->filter != NULL && plan->seccomp_early) install_seccomp(plan);
    set_identity_and_capabilities(plan);
    if (chdir_after_user && chdir(plan->cwd) < 0) die_errno("process.cwd: chdir %s", plan->cwd);
    if (plan->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) die_errno("prctl(PR_SET_NO_NEW_PRIVS)");
    if (plan->filter != NULL && !plan->seccomp_early) install_seccomp(plan);

    /* Only the standard streams and the preserved descriptors cross into the program. */
    unsigned int keep = 3 + (unsigned int)plan->preserve_fds;
    if (syscall(SYS_close_range, keep, ~0u, CLOSE_RANGE_CLOEXEC) < 0) die_errno("close_range");
    for (unsigned int fd = 3; fd < keep; fd++) {
        if (fcntl((int)fd, F_SETFD, 0) < 0) die_errno("keep descriptor %u", fd);
    }
    execve(executable, plan->args.v, plan->env.v);
    die_errno("exec %s", executable);
}
