#include "ulib.h"

/*
 * The I/O comparison: the same bytes through the emulated 16550A (an exit per byte), through
 * virtio-console (a queue notification per 64 KiB that KVM's ioeventfd absorbs), and through
 * virtio-blk (written, flushed, read back and compared). Exits are the VMM's own count, read
 * before and after each phase through SYS_EXITS (port 0xf0); the first read is itself an exit,
 * so a phase's exits are the difference less one.
 */

int bad_arguments(const char *what);

#define IO_MAX_KIB (64 * 1024)
#define IO_BASE USER_HEAP_BASE

static u64 exits_now(void) { return (u64)syscall3(SYS_EXITS, 0, 0, 0); }

static u64 micros(u64 cycles) {
    u64 khz = (u64)syscall3(SYS_INFO, INFO_TSC_KHZ, 0, 0);
    return khz ? cycles * 1000 / khz : 0;
}

/* RESULT workload=io path=P kib=N exits=N exits_per_kib=X.XX us=N */
static void report(const char *path, u64 kib, u64 exits, u64 cycles) {
    struct line l;
    result_begin(&l, "io");
    line_str(&l, " path=");
    line_str(&l, path);
    line_kv(&l, "kib", kib);
    line_kv(&l, "exits", exits);
    u64 hundredths = exits * 100 / kib;
    line_kv(&l, "exits_per_kib", hundredths / 100);
    line_str(&l, ".");
    line_u64(&l, hundredths / 10 % 10);
    line_u64(&l, hundredths % 10);
    line_kv(&l, "us", micros(cycles));
    line_end(&l);
}

static int fail(const char *what) {
    struct line l = {.len = 0};
    line_str(&l, "io: ");
    line_str(&l, what);
    line_end(&l);
    return STATUS_FAILED;
}

/* One console phase: `nr` writes `bytes` from `text`; returns 0 or -1. */
static int console_phase(const char *path, u64 nr, const char *text, u64 bytes, u64 kib) {
    u64 e0 = exits_now(), t0 = rdtsc();
    i64 r = syscall3(nr, (u64)text, bytes, 0);
    u64 t1 = rdtsc(), e1 = exits_now();
    if (r != (i64)bytes) return -1;
    report(path, kib, (u32)(e1 - e0) - 1, t1 - t0);
    return 0;
}

int run_io(int argc, char **argv) {
    u64 kib = 0;
    int ok = 0;
    if (argc >= 2) kib = parse_u64(argv[1], &ok);
    if (!ok || kib == 0 || kib > IO_MAX_KIB) return bad_arguments("usage: io KIB (1 to 65536)");
    u64 bytes = kib * 1024, pages = 2 * bytes / PAGE_SIZE;
    if (syscall3(SYS_MAP, IO_BASE, pages, 0) != 0) return fail("not enough guest memory for the buffers");
    char *text = (char *)IO_BASE, *back = text + bytes;
    for (u64 i = 0; i < bytes; i++) text[i] = (i % 64 == 63) ? '\n' : (char)('a' + (i / 64) % 26);

    if (console_phase("uart", SYS_WRITE, text, bytes, kib) < 0) return fail("the UART write failed");
    if (console_phase("virtio-console", SYS_VCONSOLE_WRITE, text, bytes, kib) < 0)
        return fail("virtio-console is missing or failed");

    i64 sectors = syscall3(SYS_INFO, INFO_BLK_SECTORS, 0, 0);
    if (sectors < 0) return fail("no virtio-blk device");
    if ((u64)sectors < bytes / 512) return fail("the disk is smaller than KIB");
    char id[21] = {0};
    if (syscall3(SYS_BLK_ID, (u64)id, 0, 0) != 0) return fail("virtio-blk GET_ID failed");
    struct line l = {.len = 0};
    line_str(&l, "io: virtio-blk id=");
    line_str(&l, id);
    line_kv(&l, "sectors", (u64)sectors);
    line_end(&l);

    u64 e0 = exits_now(), t0 = rdtsc();
    i64 w = syscall3(SYS_BLK_WRITE, (u64)text, bytes, 0);
    i64 f = syscall3(SYS_BLK_FLUSH, 0, 0, 0);
    i64 r = syscall3(SYS_BLK_READ, (u64)back, bytes, 0);
    u64 t1 = rdtsc(), e1 = exits_now();
    if (w != (i64)bytes || f != 0 || r != (i64)bytes) return fail("a virtio-blk request failed");
    for (u64 i = 0; i < bytes; i++) {
        if (back[i] != text[i]) return fail("virtio-blk read back other data than it wrote");
    }
    report("virtio-blk", kib, (u32)(e1 - e0) - 1, t1 - t0);
    return STATUS_OK;
}

/* Reads N bytes from virtio-rng; counts distinct byte values, which a working source makes many. */
int run_rng(int argc, char **argv) {
    u64 n = 0;
    int ok = 0;
    if (argc >= 2) n = parse_u64(argv[1], &ok);
    if (!ok || n == 0 || n > 1024 * 1024) return bad_arguments("usage: rng N (1 to 1048576 bytes)");
    if (syscall3(SYS_MAP, IO_BASE, (n + PAGE_SIZE - 1) / PAGE_SIZE, 0) != 0) return fail("not enough guest memory");
    u8 *buf = (u8 *)IO_BASE;
    if (syscall3(SYS_RNG_READ, (u64)buf, n, 0) != (i64)n) return fail("virtio-rng is missing or failed");
    u8 seen[256] = {0};
    u64 distinct = 0;
    for (u64 i = 0; i < n; i++) {
        if (!seen[buf[i]]) distinct++;
        seen[buf[i]] = 1;
    }
    struct line l;
    result_begin(&l, "rng");
    line_kv(&l, "bytes", n);
    line_kv(&l, "distinct", distinct);
    line_end(&l);
    return STATUS_OK;
}

/* Offers virtio-rng a looping chain: the device must refuse it and ask for a reset, and the VM runs on. */
int run_badring(int argc, char **argv) {
    (void)argc; (void)argv;
    i64 answer = syscall3(SYS_CRASH, CRASH_VIRTIO_LOOP, 0, 0);
    u8 byte;
    i64 after = syscall3(SYS_RNG_READ, (u64)&byte, 1, 0);
    struct line l;
    result_begin(&l, "badring");
    line_str(&l, answer == -2 ? " device=needs-reset" : " device=answered");
    line_str(&l, after == -2 ? " after=refused" : " after=served");
    line_end(&l);
    return answer == -2 ? STATUS_OK : STATUS_FAILED;
}
