/*
 * The container's file system: mounts in order, devices, links, pivot_root, then the paths
 * that are masked or read-only, sysctls, names and the read-only root.
 *
 * Every target inside the rootfs is resolved with openat2(RESOLVE_IN_ROOT), so a symlink in
 * the image cannot point a mount outside it, and mounted through /proc/self/fd/N.
 */
#include "vireo-init.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#define FD_PATH_MAX 32

static int rootfd = -1;

static void fd_path(char *buf, int fd)
{
    snprintf(buf, FD_PATH_MAX, "/proc/self/fd/%d", fd);
}

static int open_in_root(const char *path)
{
    struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
    while (*path == '/') path++;
    if (*path == '\0') path = ".";
    return (int)syscall(SYS_openat2, rootfd, path, &how, sizeof how);
}

/* Splits a container path into its parent (a new string) and its last component. */
static char *split(const char *path, const char **base)
{
    char *parent = strdup(path);
    if (parent == NULL) die("out of memory");
    char *slash = strrchr(parent, '/');
    if (slash == NULL || slash[1] == '\0') die("bad container path %s", path);
    *base = path + (slash - parent) + 1;
    if (slash == parent) slash[1] = '\0'; else *slash = '\0';
    return parent;
}

/* An O_PATH descriptor of `path` inside the rootfs, made as a directory or file when missing. */
static int resolve(const char *path, uint64_t kind)
{
    int fd = open_in_root(path);
    if (fd >= 0) return fd;
    if (errno != ENOENT || kind == KIND_EXISTING) die_errno("resolve %s in the rootfs", path);
    const char *base;
    char *parent = split(path, &base);
    int dir = resolve(parent, KIND_DIR);
    if (kind == KIND_DIR) {
        if (mkdirat(dir, base, 0755) < 0 && errno != EEXIST) die_errno("mkdir %s", path);
    } else {
        int f = openat(dir, base, O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (f < 0 && errno != EEXIST) die_errno("create %s", path);
        if (f >= 0) close(f);
    }
    close(dir);
    free(parent);
    fd = open_in_root(path);
    if (fd < 0) die_errno("resolve %s in the rootfs", path);
    return fd;
}

/* The flags a user namespace locks on a mount: a remount must keep them or fail with EPERM. */
static unsigned long locked_flags(const char *path)
{
    struct statvfs st;
    if (statvfs(path, &st) < 0) die_errno("statvfs %s", path);
    unsigned long flags = 0;
    if (st.f_flag & ST_RDONLY) flags |= MS_RDONLY;
    if (st.f_flag & ST_NOSUID) flags |= MS_NOSUID;
    if (st.f_flag & ST_NODEV) flags |= MS_NODEV;
    if (st.f_flag & ST_NOEXEC) flags |= MS_NOEXEC;
    if (st.f_flag & ST_NOATIME) flags |= MS_NOATIME;
    if (st.f_flag & ST_NODIRATIME) flags |= MS_NODIRATIME;
    if (st.f_flag & ST_RELATIME) flags |= MS_RELATIME;
    return flags;
}

/* A bind remount; retried with the locked flags kept when the kernel refuses to clear them. */
static int remount(const char *path, unsigned long flags)
{
    if (mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | flags, NULL) == 0) return 0;
    if (errno != EPERM) return -1;
    unsigned long locked = locked_flags(path) & ~(unsigned long)MS_RDONLY;
    return mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | flags | locked, NULL);
}

static void do_mount(const struct mount_op *m)
{
    char path[FD_PATH_MAX];
    const char *what = m->type[0] ? m->type : "bind";
    int fd = resolve(m->target, m->kind);
    fd_path(path, fd);
    if (mount(m->source[0] ? m->source : NULL, path, m->type[0] ? m->type : NULL, (unsigned long)m->flags,
              m->data[0] ? m->data : NULL) < 0) {
        die_errno("mount %s %s on %s", what, m->source, m->target);
    }
    close(fd);
    if (m->remount == 0 && m->propagation == 0) return;
    /* Resolved again: the descriptor above names the directory under the new mount. */
    fd = resolve(m->target, KIND_EXISTING);
    fd_path(path, fd);
    if (m->remount != 0 && remount(path, (unsigned long)m->remount) < 0) {
        die_errno("remount %s on %s with its options", what, m->target);
    }
    if (m->propagation != 0 && mount(NULL, path, NULL, (unsigned long)m->propagation, NULL) < 0) {
        die_errno("set propagation of %s", m->target);
    }
    close(fd);
}

static void make_device(const struct device_op *d)
{
    if (d->bind) {
        /* In a user namespace mknod is refused; the host's node is bound instead (as runc does). */
        char path[FD_PATH_MAX];
        int fd = resolve(d->path, KIND_FILE);
        fd_path(path, fd);
        if (mount(d->host, path, NULL, MS_BIND, NULL) < 0) die_errno("bind device %s on %s", d->host, d->path);
        close(fd);
        return;
    }
    const char *base;
    char *parent = split(d->path, &base);
    int dir = resolve(parent, KIND_DIR);
    dev_t dev = makedev((unsigned)d->major, (unsigned)d->minor);
    if (mknodat(dir, base, (mode_t)(d->type | (d->mode & 07777)), dev) < 0) {
        if (errno != EEXIST) die_errno("mknod %s", d->path);
        if (unlinkat(dir, base, 0) < 0 || mknodat(dir, base, (mode_t)(d->type | (d->mode & 07777)), dev) < 0) {
            die_errno("replace %s with a device node", d->path);
        }
    }
    if (fchownat(dir, base, (uid_t)d->uid, (gid_t)d->gid, AT_SYMLINK_NOFOLLOW) < 0) die_errno("chown %s", d->path);
    close(dir);
    free(parent);
}

static void make_link(const struct link_op *l)
{
    const char *base;
    char *parent = split(l->path, &base);
    int dir = resolve(parent, KIND_DIR);
    if (symlinkat(l->target, dir, base) < 0 && errno != EEXIST) die_errno("symlink %s", l->path);
    close(dir);
    free(parent);
}

/* pivot_root needs the rootfs's parent mount not to be shared; only shared propagation makes it so. */
static void make_parent_private(const char *rootfs)
{
    FILE *f = fopen("/proc/self/mountinfo", "re");
    if (f == NULL) die_errno("open /proc/self/mountinfo");
    char line[8192], best[4096] = "/";
    size_t best_len = 1;
    while (fgets(line, sizeof line, f) != NULL) {
        char point[4096];
        if (sscanf(line, "%*s %*s %*s %*s %4095s", point) != 1) continue;
        size_t n = strlen(point);
        int prefix = strncmp(rootfs, point, n) == 0 && (rootfs[n] == '/' || rootfs[n] == '\0' || n == 1);
        if (prefix && n > best_len) {
            memcpy(best, point, n + 1);
            best_len = n;
        }
    }
    fclose(f);
    if (mount(NULL, best, NULL, MS_PRIVATE, NULL) < 0) die_errno("make %s private", best);
}

void setup_rootfs(const struct plan *plan)
{
    unsigned long propagation = plan->rootfs_propagation ? plan->rootfs_propagation : MS_SLAVE | MS_REC;
    if (mount(NULL, "/", NULL, propagation, NULL) < 0) die_errno("set the propagation of /");
    if (propagation & MS_SHARED) make_parent_private(plan->rootfs);
    if (mount(plan->rootfs, plan->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0) die_errno("bind %s on itself", plan->rootfs);
    rootfd = open(plan->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0) die_errno("open %s", plan->rootfs);
    for (size_t i = 0; i < plan->nmounts; i++) do_mount(&plan->mounts[i]);
    for (size_t i = 0; i < plan->ndevices; i++) make_device(&plan->devices[i]);
    for (size_t i = 0; i < plan->nlinks; i++) make_link(&plan->links[i]);
}

void enter_rootfs(const struct plan *plan)
{
    if (plan->no_pivot) {
        if (chdir(plan->rootfs) < 0) die_errno("chdir %s", plan->rootfs);
        if (mount(plan->rootfs, "/", NULL, MS_MOVE, NULL) < 0) die_errno("move %s to /", plan->rootfs);
        if (chroot(".") < 0) die_errno("chroot");
    } else {
        /* pivot_root(".", ".") stacks the old root under the new one; unmounting "." then drops it. */
        int oldroot = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
        if (oldroot < 0) die_errno("open /");
        if (fchdir(rootfd) < 0) die_errno("chdir to the rootfs");
        if (syscall(SYS_pivot_root, ".", ".") < 0) die_errno("pivot_root %s", plan->rootfs);
        if (fchdir(oldroot) < 0) die_errno("chdir to the old root");
        if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0) die_errno("make the old root a slave");
        if (umount2(".", MNT_DETACH) < 0) die_errno("unmount the old root");
        close(oldroot);
    }
    close(rootfd);
    rootfd = -1;
    if (chdir("/") < 0) die_errno("chdir /");
}

static void write_sysctl(const struct sysctl_op *s)
{
    char path[4096];
    snprintf(path, sizeof path, "/proc/sys/%s", s->key);
    int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) die_errno("open %s", path);
    size_t n = strlen(s->value);
    if (write(fd, s->value, n) != (ssize_t)n) die_errno("write %s to %s", s->value, path);
    close(fd);
}

/* A read-only path keeps nosuid, nodev, noexec and its atime flags, as runc's does. */
static void make_readonly(const char *path)
{
    if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0) {
        if (errno == ENOENT) return;
        die_errno("bind %s on itself", path);
    }
    if (remount(path, MS_RDONLY | MS_REC | locked_flags(path)) < 0) die_errno("make %s read-only", path);
}

/* The /dev/null that masks files must be the real one: a planted file would unmask them. */
static void check_dev_null(void)
{
    struct stat st;
    if (stat("/dev/null", &st) < 0) die_errno("stat /dev/null");
    if (!S_ISCHR(st.st_mode) || major(st.st_rdev) != 1 || minor(st.st_rdev) != 3) {
        die("/dev/null in the container is not the null device (1:3)");
    }
}

static void mask(const char *path)
{
    struct stat st;
    if (lstat(path, &st) < 0) {
        if (errno == ENOENT) return;
        die_errno("stat %s", path);
    }
    if (S_ISDIR(st.st_mode)) {
        if (mount("tmpfs", path, "tmpfs", MS_RDONLY, "size=0k") < 0) die_errno("mask directory %s", path);
    } else if (mount("/dev/null", path, NULL, MS_BIND, NULL) < 0) {
        die_errno("mask %s", path);
    }
}

void finish_rootfs(const struct plan *plan)
{
    for (size_t i = 0; i < plan->nsysctls; i++) write_sysctl(&plan->sysctls[i]);
    for (size_t i = 0; i < plan->readonly.n; i++) make_readonly(plan->readonly.v[i]);
    if (plan->masked.n > 0) check_dev_null();
    for (size_t i = 0; i < plan->masked.n; i++) mask(plan->masked.v[i]);
    if (plan->hostname != NULL && sethostname(plan->hostname, strlen(plan->hostname)) < 0) die_errno("sethostname");
    if (plan->domainname != NULL && setdomainname(plan->domainname, strlen(plan->domainname)) < 0) {
        die_errno("setdomainname");
    }
    if (plan->root_readonly && remount("/", MS_RDONLY) < 0) die_errno("make the root read-only");
    if (plan->rootfs_propagation && mount(NULL, "/", NULL, plan->rootfs_propagation, NULL) < 0) {
        die_errno("set the propagation of the container's root");
    }
}

/*
 * A pseudo-terminal from the container's own devpts: the master goes to the console socket
 * (or back to the JVM), the slave becomes the controlling terminal and the standard streams.
 */
void setup_console(const struct plan *plan, int console_socket, int in_container)
{
    int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0) die_errno("open /dev/ptmx for the terminal");
    int unlock = 0;
    unsigned int n;
    if (ioctl(master, TIOCSPTLCK, &unlock) < 0) die_errno("unlock the terminal");
    if (ioctl(master, TIOCGPTN, &n) < 0) die_errno("read the terminal's number");
    char name[64];
    snprintf(name, sizeof name, "/dev/pts/%u", n);
    int slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave < 0) die_errno("open %s", name);
    if (plan->rows != 0 || plan->cols != 0) {
        struct winsize ws = { .ws_row = (unsigned short)plan->rows, .ws_col = (unsigned short)plan->cols };
        if (ioctl(slave, TIOCSWINSZ, &ws) < 0) die_errno("set the terminal's size");
    }
    if (in_container) {
        int fd = open("/dev/console", O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0) die_errno("create /dev/console");
        close(fd);
        if (mount(name, "/dev/console", NULL, MS_BIND, NULL) < 0) die_errno("bind %s on /dev/console", name);
    }
    send_fd_msg(console_socket >= 0 ? console_socket : sync_fd, M_CONSOLE, master, name);
    close(master);
    if (console_socket >= 0) close(console_socket);
    if (setsid() < 0 && errno != EPERM) die_errno("setsid");
    if (ioctl(slave, TIOCSCTTY, 0) < 0) die_errno("make %s the controlling terminal", name);
    for (int fd = 0; fd < 3; fd++) {
        if (dup2(slave, fd) < 0) die_errno("dup2 the terminal");
    }
    if (slave > 2) close(slave);
}

void loopback_up(void)
{
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) die_errno("socket");
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strcpy(ifr.ifr_name, "lo");
    if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) die_errno("read the flags of lo");
    ifr.ifr_flags |= IFF_UP;
    if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0) die_errno("bring lo up");
    close(s);
}
