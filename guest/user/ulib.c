#include "ulib.h"

void exit(int status) {
    syscall3(SYS_EXIT, (u64)status, 0, 0);
    for (;;) {}
}

void write(const char *s, usize n) { syscall3(SYS_WRITE, (u64)s, n, 0); }

usize strlen(const char *s) {
    usize n = 0;
    while (s[n]) n++;
    return n;
}

int streq(const char *a, const char *b) {
    while (*a && *a == *b) { a++; b++; }
    return *a == *b;
}

u64 parse_u64(const char *s, int *ok) {
    u64 v = 0;
    *ok = *s != 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > (~0ul - 9) / 10) { *ok = 0; return 0; }
        v = v * 10 + (u64)(*s - '0');
    }
    return v;
}

static void line_char(struct line *l, char c) {
    if (l->len < sizeof l->buf - 1) l->buf[l->len++] = c;
}

void line_str(struct line *l, const char *s) { while (*s) line_char(l, *s++); }

void line_u64(struct line *l, u64 v) {
    char d[24];
    int n = 0;
    do { d[n++] = (char)('0' + v % 10); v /= 10; } while (v);
    while (n) line_char(l, d[--n]);
}

void line_hex(struct line *l, u64 v) {
    line_str(l, "0x");
    int shift = 60;
    while (shift > 0 && !(v >> shift)) shift -= 4;
    for (; shift >= 0; shift -= 4) line_char(l, "0123456789abcdef"[(v >> shift) & 15]);
}

void line_kv(struct line *l, const char *key, u64 v) {
    line_char(l, ' ');
    line_str(l, key);
    line_char(l, '=');
    line_u64(l, v);
}

void line_kvx(struct line *l, const char *key, u64 v) {
    line_char(l, ' ');
    line_str(l, key);
    line_char(l, '=');
    line_hex(l, v);
}

void line_end(struct line *l) {
    l->buf[l->len++] = '\n';
    write(l->buf, l->len);
    l->len = 0;
}

void result_begin(struct line *l, const char *workload) {
    l->len = 0;
    line_str(l, "RESULT workload=");
    line_str(l, workload);
}

void result_timing(struct line *l, u64 cycles) {
    line_kv(l, "cycles", cycles);
    u64 khz = (u64)syscall3(SYS_INFO, INFO_TSC_KHZ, 0, 0);
    if (khz) line_kv(l, "us", cycles * 1000 / khz);
}

static void usage(const char *message) {
    struct line l = {.len = 0};
    line_str(&l, "vireo-guest: ");
    line_str(&l, message);
    line_str(&l, " (workloads: hello | primes N | syscalls N | memtouch MIB PASSES [PAGES_PER_MS [TSC_KHZ]] | pagetable N | uart N | io KIB | rng N | badring | probe | echo | crash pagefault|triple|mmio-exec)");
    line_end(&l);
}

struct workload { const char *name; int (*run)(int, char **); };

static const struct workload workloads[] = {
    {"hello", run_hello},         {"primes", run_primes}, {"syscalls", run_syscalls},
    {"memtouch", run_memtouch},   {"pagetable", run_pagetable}, {"uart", run_uart},
    {"probe", run_probe},         {"crash", run_crash},         {"echo", run_echo},
    {"io", run_io},               {"rng", run_rng},             {"badring", run_badring},
};

/* Splits the command line into words in place and runs the workload the first one names. */
int umain(char *cmdline) {
    char *argv[16];
    int argc = 0;
    for (char *p = cmdline; *p && argc < 16;) {
        while (*p == ' ') *p++ = 0;
        if (!*p) break;
        argv[argc++] = p;
        while (*p && *p != ' ') p++;
    }
    if (argc == 0) return run_hello(0, argv);
    for (usize i = 0; i < sizeof workloads / sizeof workloads[0]; i++) {
        if (streq(argv[0], workloads[i].name)) return workloads[i].run(argc, argv);
    }
    usage("unknown workload");
    return STATUS_USAGE;
}

/* for workloads to report bad arguments the same way */
int bad_arguments(const char *what) {
    usage(what);
    return STATUS_USAGE;
}
