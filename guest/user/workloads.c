#include "ulib.h"

/* The workloads: each ends with one RESULT line and returns the exit status. */

int bad_arguments(const char *what);

static int number_arg(int argc, char **argv, int index, u64 *out) {
    int ok = 0;
    if (index < argc) *out = parse_u64(argv[index], &ok);
    return ok;
}

int run_hello(int argc, char **argv) {
    (void)argc; (void)argv;
    u16 cs;
    __asm__ volatile("mov %%cs, %0" : "=r"(cs));
    struct line l;
    l.len = 0;
    line_str(&l, "Hello from user mode");
    line_end(&l);
    result_begin(&l, "hello");
    line_kv(&l, "cpl", cs & 3);
    line_end(&l);
    return STATUS_OK;
}

/* Count of primes below n: a segmented sieve of Eratosthenes over odd numbers. */
#define SEGMENT 32768
static u8 segment[SEGMENT];
static u32 small_primes[6600]; /* odd primes up to 65536: enough for n < 2^32 */

int run_primes(int argc, char **argv) {
    u64 n;
    if (!number_arg(argc, argv, 1, &n) || n > 0xffffffffu) return bad_arguments("usage: primes N (N < 2^32)");
    u64 start = rdtsc();
    u64 limit = 1;
    while (limit * limit < n) limit++;
    u32 count_small = 0;
    for (u32 i = 3; i <= limit && i < 65536; i += 2) {
        int prime = 1;
        for (u32 j = 0; j < count_small && small_primes[j] * small_primes[j] <= i; j++) {
            if (i % small_primes[j] == 0) { prime = 0; break; }
        }
        if (prime) small_primes[count_small++] = i;
    }
    u64 count = n > 2 ? 1 : 0; /* the prime 2 */
    /* segment index k stands for the odd number low + 2k */
    for (u64 low = 3; low < n; low += 2 * SEGMENT) {
        u64 high = low + 2 * SEGMENT; /* exclusive */
        if (high > n) high = n;
        u64 size = (high - low + 1) / 2;
        for (u64 k = 0; k < size; k++) segment[k] = 1;
        for (u32 j = 0; j < count_small; j++) {
            u64 p = small_primes[j];
            u64 first = p * p;
            if (first >= high) break;
            if (first < low) first = low + (p - (low % p)) % p;
            if ((first & 1) == 0) first += p;
            for (u64 m = first; m < high; m += 2 * p) segment[(m - low) / 2] = 0;
        }
        for (u64 k = 0; k < size; k++) count += segment[k];
    }
    u64 cycles = rdtsc() - start;
    struct line l;
    result_begin(&l, "primes");
    line_kv(&l, "n", n);
    line_kv(&l, "count", count);
    result_timing(&l, cycles);
    line_end(&l);
    return STATUS_OK;
}

int run_syscalls(int argc, char **argv) {
    u64 n;
    if (!number_arg(argc, argv, 1, &n)) return bad_arguments("usage: syscalls N");
    u64 start = rdtsc();
    u64 failures = 0;
    for (u64 i = 0; i < n; i++) failures += syscall3(SYS_NULL, 0, 0, 0) != 0;
    u64 cycles = rdtsc() - start;
    struct line l;
    result_begin(&l, "syscalls");
    line_kv(&l, "n", n);
    line_kv(&l, "failures", failures);
    result_timing(&l, cycles);
    line_end(&l);
    return failures ? STATUS_FAILED : STATUS_OK;
}

/* A value that depends on the pass and the page, so a lost or misplaced write shows. */
static inline u64 mix(u64 pass, u64 page) {
    u64 x = (pass + 1) * 0x9e3779b97f4a7c15ul ^ page * 0xbf58476d1ce4e5b9ul;
    return x ^ (x >> 31);
}

/*
 * Writes one word of every page of a MIB region, PASSES times, and folds what it reads back
 * into a checksum. RATE (pages per millisecond, default 0: as fast as it can) paces the writes,
 * so a migration can be measured at a chosen dirty rate; the checksum does not depend on it.
 * Pacing needs the TSC rate: the VMM's boot info gives it, TSC_KHZ stands in where it does not
 * (QEMU's PVH boot).
 */
int run_memtouch(int argc, char **argv) {
    u64 mib, passes, rate = 0, khz_given = 0;
    if (!number_arg(argc, argv, 1, &mib) || !number_arg(argc, argv, 2, &passes) || mib == 0
        || (argc > 3 && !number_arg(argc, argv, 3, &rate)) || (argc > 4 && !number_arg(argc, argv, 4, &khz_given)))
        return bad_arguments("usage: memtouch MIB PASSES [PAGES_PER_MS [TSC_KHZ]]");
    u64 pages = mib * 256;
    struct line l;
    if (syscall3(SYS_MAP, USER_HEAP_BASE, pages, 0) != 0) {
        l.len = 0;
        line_str(&l, "memtouch: not enough guest memory for the region");
        line_kv(&l, "mib", mib);
        line_end(&l);
        return STATUS_FAILED;
    }
    u64 khz = (u64)syscall3(SYS_INFO, INFO_TSC_KHZ, 0, 0);
    if (!khz) khz = khz_given;
    u64 cycles_per_page = rate && khz ? khz / rate : 0;
    u64 start = rdtsc();
    u64 checksum = 0, written = 0;
    for (u64 pass = 0; pass < passes; pass++) {
        for (u64 page = 0; page < pages; page++) {
            if (cycles_per_page)
                while (rdtsc() - start < written * cycles_per_page) __asm__ volatile("pause");
            volatile u64 *p = (u64 *)(USER_HEAP_BASE + page * PAGE_SIZE) + (pass & 511);
            *p = mix(pass, page);
            written++;
        }
        for (u64 page = 0; page < pages; page++) {
            volatile u64 *p = (u64 *)(USER_HEAP_BASE + page * PAGE_SIZE) + (pass & 511);
            checksum = (checksum ^ *p) * 0x100000001b3ul;
        }
    }
    u64 cycles = rdtsc() - start;
    result_begin(&l, "memtouch");
    line_kv(&l, "mib", mib);
    line_kv(&l, "passes", passes);
    line_kv(&l, "pages", pages);
    line_kv(&l, "rate", rate);
    line_kvx(&l, "checksum", checksum);
    result_timing(&l, cycles);
    line_end(&l);
    return STATUS_OK;
}

/* Maps and unmaps n pages in batches, touching each page while it is mapped. */
#define BATCH 512

int run_pagetable(int argc, char **argv) {
    u64 n;
    if (!number_arg(argc, argv, 1, &n)) return bad_arguments("usage: pagetable N");
    u64 start = rdtsc();
    u64 done = 0, checksum = 0, calls = 0;
    struct line l;
    while (done < n) {
        u64 batch = n - done < BATCH ? n - done : BATCH;
        u64 va = USER_SCRATCH_BASE + (done % (64 * BATCH)) * PAGE_SIZE;
        if (syscall3(SYS_MAP, va, batch, 0) != 0) {
            l.len = 0;
            line_str(&l, "pagetable: SYS_MAP failed");
            line_end(&l);
            return STATUS_FAILED;
        }
        for (u64 i = 0; i < batch; i++) {
            volatile u64 *p = (u64 *)(va + i * PAGE_SIZE);
            *p = done + i;
            checksum += *p;
        }
        syscall3(SYS_UNMAP, va, batch, 0);
        calls += 2;
        done += batch;
    }
    u64 cycles = rdtsc() - start;
    result_begin(&l, "pagetable");
    line_kv(&l, "pages", n);
    line_kv(&l, "syscalls", calls);
    line_kv(&l, "checksum", checksum);
    result_timing(&l, cycles);
    line_end(&l);
    return checksum == (n ? n * (n - 1) / 2 : 0) ? STATUS_OK : STATUS_FAILED;
}

/* Writes n bytes straight to the UART's THR from user mode (the TSS I/O bitmap allows it). */
int run_uart(int argc, char **argv) {
    u64 n;
    if (!number_arg(argc, argv, 1, &n)) return bad_arguments("usage: uart N");
    u64 start = rdtsc();
    for (u64 i = 0; i < n; i++) {
        u8 c = (i % 64 == 63) ? '\n' : '.';
        __asm__ volatile("outb %0, %1" : : "a"(c), "Nd"((u16)0x3f8));
    }
    u64 cycles = rdtsc() - start;
    struct line l;
    l.len = 0;
    if (n % 64) line_end(&l);
    result_begin(&l, "uart");
    line_kv(&l, "bytes", n);
    result_timing(&l, cycles);
    line_end(&l);
    return STATUS_OK;
}

int run_probe(int argc, char **argv) {
    (void)argc; (void)argv;
    struct line l;
    result_begin(&l, "probe");
    line_kvx(&l, "port", (u64)syscall3(SYS_PROBE, PROBE_PORT, 0, 0) & 0xff);
    line_kvx(&l, "mmio", (u64)syscall3(SYS_PROBE, PROBE_MMIO, 0, 0) & 0xffffffff);
    line_end(&l);
    return STATUS_OK;
}

int run_crash(int argc, char **argv) {
    if (argc < 2) return bad_arguments("usage: crash pagefault|triple|mmio-exec");
    if (streq(argv[1], "pagefault")) {
        u64 nowhere = 0x10; /* below the user image: never mapped */
        __asm__ volatile("movq $1, (%0)" : : "r"(nowhere) : "memory");
    } else if (streq(argv[1], "triple")) {
        syscall3(SYS_CRASH, CRASH_TRIPLE_FAULT, 0, 0);
    } else if (streq(argv[1], "mmio-exec")) {
        syscall3(SYS_CRASH, CRASH_EXEC_MMIO, 0, 0);
    } else {
        return bad_arguments("usage: crash pagefault|triple|mmio-exec");
    }
    return STATUS_FAILED;
}

/* Reads one line from the serial console and writes it back: the UART's receive path. */
int run_echo(int argc, char **argv) {
    (void)argc; (void)argv;
    char text[200];
    usize n = 0;
    write("echo: type a line\n", 18);
    while (n < sizeof text) {
        i64 got = syscall3(SYS_READ, (u64)(text + n), 1, 0);
        if (got <= 0) return STATUS_FAILED;
        if (text[n] == '\n' || text[n] == '\r') break;
        n++;
    }
    u64 sum = 0;
    for (usize i = 0; i < n; i++) sum = sum * 31 + (u8)text[i];
    struct line l;
    l.len = 0;
    line_str(&l, "echo: ");
    for (usize i = 0; i < n && i < 100; i++) {
        char c[2] = {text[i], 0};
        line_str(&l, c);
    }
    line_end(&l);
    result_begin(&l, "echo");
    line_kv(&l, "bytes", n);
    line_kv(&l, "hash", sum);
    line_end(&l);
    return STATUS_OK;
}
