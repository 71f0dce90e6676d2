/* The user-mode side of the system-call ABI and the little libc the workloads need. */
#ifndef VIREO_ULIB_H
#define VIREO_ULIB_H

#include "types.h"
#include "abi.h"

static inline i64 syscall3(u64 nr, u64 a0, u64 a1, u64 a2) {
    i64 r;
    __asm__ volatile("syscall" : "=a"(r) : "a"(nr), "D"(a0), "S"(a1), "d"(a2) : "rcx", "r11", "memory");
    return r;
}

static inline u64 rdtsc(void) {
    u32 lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((u64)hi << 32) | lo;
}

__attribute__((noreturn)) void exit(int status);
void write(const char *s, usize n);
usize strlen(const char *s);
int streq(const char *a, const char *b);
/* parses a decimal number; returns 0 and sets *ok = 0 when s is not one */
u64 parse_u64(const char *s, int *ok);

/* A line being built: text and key=value pairs, written with one SYS_WRITE. */
struct line { char buf[256]; usize len; };
void line_str(struct line *l, const char *s);
void line_u64(struct line *l, u64 v);
void line_hex(struct line *l, u64 v);
void line_kv(struct line *l, const char *key, u64 v);
void line_kvx(struct line *l, const char *key, u64 v);
void line_end(struct line *l);

/* RESULT line helpers: start with "RESULT workload=<name>", add timing from the TSC */
void result_begin(struct line *l, const char *workload);
void result_timing(struct line *l, u64 cycles);

int run_hello(int argc, char **argv);
int run_primes(int argc, char **argv);
int run_syscalls(int argc, char **argv);
int run_memtouch(int argc, char **argv);
int run_pagetable(int argc, char **argv);
int run_uart(int argc, char **argv);
int run_probe(int argc, char **argv);
int run_crash(int argc, char **argv);
int run_echo(int argc, char **argv);
int run_io(int argc, char **argv);
int run_rng(int argc, char **argv);
int run_badring(int argc, char **argv);

#endif
