/*
 * probe: what the isolation tests run inside a container (built static by the tests).
 *   probe privileged     as a container's PID 1 only: try mount, init_module, finit_module, iopl,
 *                        ioperm, and print one "call=ERRNO" each
 *   probe alloc MB       touch MB megabytes, a megabyte at a time
 *   probe forks N        fork up to N children that wait; print how many were made and why it stopped
 *   probe spin MS        busy-loop for MS milliseconds of wall time; print CPU and wall milliseconds
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *outcome(long r)
{
    if (r == 0) return "OK";
    const char *name = strerrorname_np(errno);
    return name ? name : "?";
}

static double now_ms(clockid_t clock)
{
    struct timespec t;
    clock_gettime(clock, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "privileged") == 0) {
        /* These calls would change the host if they succeeded: only a container's init tries them. */
        if (getpid() != 1) { fprintf(stderr, "probe privileged: run me as PID 1 of a container\n"); return 2; }
        printf("mount=%s\n", outcome(mount("none", "/tmp", "tmpfs", 0, NULL)));
        printf("init_module=%s\n", outcome(syscall(SYS_init_module, "", 0UL, "")));
        printf("finit_module=%s\n", outcome(syscall(SYS_finit_module, -1, "", 0)));
        printf("iopl=%s\n", outcome(iopl(3)));
        printf("ioperm=%s\n", outcome(ioperm(0x80, 1, 1)));
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "alloc") == 0) {
        long mb = atol(argv[2]);
        for (long i = 0; i < mb; i++) {
            char *p = malloc(1 << 20);
            if (p == NULL) { printf("malloc failed at %ld MB\n", i); return 1; }
            memset(p, 1, 1 << 20);
        }
        printf("allocated %ld MB\n", mb);
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "forks") == 0) {
        long n = atol(argv[2]), made = 0;
        pid_t *children = calloc((size_t)n + 1, sizeof(pid_t));
        int err = 0;
        for (; made < n; made++) {
            pid_t pid = fork();
            if (pid < 0) { err = errno; break; }
            if (pid == 0) { pause(); _exit(0); }
            children[made] = pid;
        }
        printf("forked=%ld stopped=%s\n", made, err ? strerrorname_np(err) : "none");
        fflush(stdout);
        for (long i = 0; i < made; i++) kill(children[i], SIGKILL);
        while (wait(NULL) > 0) {}
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "spin") == 0) {
        double wall0 = now_ms(CLOCK_MONOTONIC), cpu0 = now_ms(CLOCK_PROCESS_CPUTIME_ID);
        volatile unsigned long x = 0;
        while (now_ms(CLOCK_MONOTONIC) - wall0 < atol(argv[2])) x++;
        printf("cpu_ms=%.0f wall_ms=%.0f\n", now_ms(CLOCK_PROCESS_CPUTIME_ID) - cpu0, now_ms(CLOCK_MONOTONIC) - wall0);
        return 0;
    }
    fprintf(stderr, "usage: probe privileged | alloc MB | forks N | spin MS\n");
    return 2;
}
