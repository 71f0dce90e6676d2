/*
 * vireo-init's two stages. The first, started by the JVM, enters or creates the namespaces
 * (user namespace first, its ID maps written by the JVM) and clones the second with
 * CLONE_PARENT, so that the container's process is the JVM's child and, in a new PID
 * namespace, its PID 1. The second builds the root file system and becomes the program.
 */
#include "vireo-init.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

static int connect_console_socket(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    if (strlen(path) >= sizeof addr.sun_path) die("--console-socket %s: path too long for a socket", path);
    strcpy(addr.sun_path, path);
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0) die_errno("socket");
    if (connect(s, (struct sockaddr *)&addr, sizeof addr) < 0) die_errno("connect to the console socket %s", path);
    return s;
}

static int make_exec_fifo(const struct plan *plan)
{
    if (mknod(plan->fifo, S_IFIFO | 0600, 0) < 0) die_errno("mkfifo %s", plan->fifo);
    if (chown(plan->fifo, (uid_t)plan->fifo_uid, (gid_t)plan->fifo_gid) < 0) die_errno("chown %s", plan->fifo);
    int fd = open(plan->fifo, O_PATH | O_CLOEXEC);
    if (fd < 0) die_errno("open %s", plan->fifo);
    return fd;
}

/* Opens every namespace first (a joined mount namespace changes how paths resolve), then joins
 * the user namespace first and the mount namespace last. */
static void join_namespaces(const struct plan *plan)
{
    int *fds = calloc(plan->njoins + 1, sizeof(int));
    if (fds == NULL) die("out of memory");
    for (size_t i = 0; i < plan->njoins; i++) {
        fds[i] = open(plan->joins[i].path, O_RDONLY | O_CLOEXEC);
        if (fds[i] < 0) die_errno("open namespace %s", plan->joins[i].path);
    }
    static const uint64_t order[] = { CLONE_NEWUSER, CLONE_NEWIPC, CLONE_NEWUTS, CLONE_NEWNET, CLONE_NEWPID,
                                      CLONE_NEWCGROUP, CLONE_NEWTIME, CLONE_NEWNS };
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
        for (size_t i = 0; i < plan->njoins; i++) {
            if (plan->joins[i].flag != order[k]) continue;
            if (setns(fds[i], (int)order[k]) < 0) die_errno("join namespace %s", plan->joins[i].path);
            close(fds[i]);
        }
    }
    free(fds);
}

static void new_user_namespace(void)
{
    if (unshare(CLONE_NEWUSER) < 0) die_errno("unshare the user namespace");
    uint64_t pid = (uint64_t)getpid();
    send_msg(M_USERMAP, &pid, sizeof pid);
    free(recv_msg(M_ACK, NULL));
    /* Root of the new namespace, with its full capabilities there. */
    if (setresgid(0, 0, 0) < 0) die_errno("setresgid(0) in the new user namespace (is container gid 0 mapped?)");
    if (setresuid(0, 0, 0) < 0) die_errno("setresuid(0) in the new user namespace (is container uid 0 mapped?)");
}

static void write_time_offsets(const struct plan *plan)
{
    char text[128];
    int n = snprintf(text, sizeof text, "monotonic %lld %lld\nboottime %lld %lld\n",
                     (long long)plan->time_offsets[0], (long long)plan->time_offsets[1],
                     (long long)plan->time_offsets[2], (long long)plan->time_offsets[3]);
    int fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, text, (size_t)n) != n) die_errno("linux.timeOffsets: write /proc/self/timens_offsets");
    close(fd);
}

/*
 * The JVM moves this process into the container's cgroup while it builds the root file system
 * (a move waits for an RCU grace period, milliseconds on cgroup v1) and says JOINED when done.
 * Whatever forks, runs hooks, roots a cgroup namespace or reaches the program waits for that.
 * GO comes first, with the state JSON for the hooks run from inside (the JVM knows the PID only
 * once this process exists): nothing before needs it, so the root file system is not held up.
 */
static const char *join_cgroup(const struct plan *plan)
{
    static char *state;
    if (state != NULL) return state;
    state = recv_msg(M_GO, NULL);
    free(recv_msg(M_JOINED, NULL));
    if ((plan->ns_new & CLONE_NEWCGROUP) && unshare(CLONE_NEWCGROUP) < 0) die_errno("unshare the cgroup namespace");
    return state;
}

/* The second stage: the container's init (create) or the new process in a container (exec). */
static _Noreturn void container_main(const struct plan *plan, int console_fd, int fifo_fd)
{
    /* Its cgroup mount shows the namespace's root: the namespace comes before the mounts. */
    if (plan->ns_new & CLONE_NEWCGROUP) join_cgroup(plan);
    if (plan->mode == MODE_CREATE) {
        umask(0);
        setup_rootfs(plan);
        if (plan->loopback) loopback_up();
        if (plan->runtime_hooks || plan->nhooks > 0) join_cgroup(plan);
        if (plan->runtime_hooks) {
            send_msg(M_HOOKS, NULL, 0);
            free(recv_msg(M_ACK, NULL));
        }
        if (plan->nhooks > 0) run_hooks(plan, HOOK_CREATE_CONTAINER, join_cgroup(plan));
        enter_rootfs(plan);
        if (plan->terminal) setup_console(plan, console_fd, 1);
        finish_rootfs(plan);
        umask(022);
    } else {
        if (plan->loopback) loopback_up();
        if (plan->terminal) setup_console(plan, console_fd, 0);
    }
    int chdir_after_user = 0;
    if (plan->cwd != NULL && chdir(plan->cwd) < 0) {
        if (errno != EACCES && errno != EPERM) die_errno("process.cwd: chdir %s", plan->cwd);
        chdir_after_user = 1;
    }
    const char *executable = find_executable(plan);
    const char *state = join_cgroup(plan);
    if (plan->mode == MODE_CREATE) {
        /* The wait for `start` reopens the FIFO through /proc: fail now, not after create returned. */
        char fifo[32];
        snprintf(fifo, sizeof fifo, "/proc/self/fd/%d", fifo_fd);
        if (access(fifo, F_OK) < 0) die_errno("the exec FIFO is unreachable through %s (the container needs /proc)", fifo);
        send_msg(M_READY, NULL, 0);
        close(sync_fd);
        sync_fd = -1;
        wait_for_start(fifo_fd);
        run_hooks(plan, HOOK_START_CONTAINER, state);
    }
    finish_process(plan, executable, chdir_after_user);
    _exit(127);
}

int main(int argc, char **argv)
{
    char *end;
    long fd = argc == 2 ? strtol(argv[1], &end, 10) : -1;
    if (argc != 2 || *end != '\0' || fd < 3) {
        dprintf(STDERR_FILENO, "vireo-init: started by the Vireo runtime, not by hand\n");
        return 2;
    }
    sync_fd = (int)fd;
    /* Whatever else the JVM left open is not ours to pass on. */
    if (syscall(SYS_close_range, (unsigned int)sync_fd + 1, ~0u, 0) < 0) die_errno("close_range");
    if (fcntl(sync_fd, F_SETFD, FD_CLOEXEC) < 0) die_errno("fcntl");
    /* Its name in ps: the kernel named it after /proc/self/fd/N. */
    if (prctl(PR_SET_NAME, "vireo-init", 0, 0, 0) < 0) die_errno("prctl(PR_SET_NAME)");
    /* Not dumpable: no process in the container can ptrace this one or open its /proc files. */
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) die_errno("prctl(PR_SET_DUMPABLE)");

    struct plan plan;
    read_plan(sync_fd, &plan);
    if ((uint64_t)sync_fd != 3 + plan.preserve_fds) die("plan: %d preserved descriptors, control socket on %d",
                                                       (int)plan.preserve_fds, sync_fd);

    int console_fd = plan.terminal && plan.console_socket[0] ? connect_console_socket(plan.console_socket) : -1;
    int fifo_fd = plan.fifo != NULL ? make_exec_fifo(&plan) : -1;
    /* In the host's user namespace still: raising limits and lowering the OOM score need it. */
    set_oom_score_adj(&plan);
    set_rlimits(&plan);
    join_namespaces(&plan);
    if (plan.ns_new & CLONE_NEWUSER) new_user_namespace();
    /* The container's process enters its cgroup namespace itself, once it is in its cgroup. */
    uint64_t rest = plan.ns_new & ~(uint64_t)(CLONE_NEWUSER | CLONE_NEWCGROUP);
    if (rest != 0 && unshare((int)rest) < 0) die_errno("unshare namespaces %#llx", (unsigned long long)rest);
    if (plan.has_time_offsets) write_time_offsets(&plan);

    int turn[2];
    if (pipe2(turn, O_CLOEXEC) < 0) die_errno("pipe");
    /* A new PID namespace takes effect for children only: the container's process is one. */
    long child = syscall(SYS_clone, CLONE_PARENT | SIGCHLD, 0, NULL, NULL, 0);
    if (child < 0) die_errno("clone");
    if (child > 0) {
        uint64_t pid = (uint64_t)child;
        send_msg(M_PID, &pid, sizeof pid);
        _exit(0);
    }
    close(turn[1]);
    sync_turn = turn[0];
    container_main(&plan, console_fd, fifo_fd);
}
