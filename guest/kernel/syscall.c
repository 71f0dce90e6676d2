#include "kernel.h"

/* The system calls the user-mode workloads make (abi.h). Each path is a few instructions. */

u64 tsc_khz;

#define USER_TOP 0x800000000000ul

static int user_range(u64 va, u64 len) {
    return va < USER_TOP && len <= USER_TOP - va;
}

static i64 sys_probe(u64 what) {
    if (what == PROBE_PORT) return inb(0x2f8);
    if (what == PROBE_MMIO) {
        volatile u32 *p = map_mmio(0xd0000000ul);
        return p ? (i64)*p : -1;
    }
    return -1;
}

static i64 sys_crash(u64 how) {
    if (how == CRASH_VIRTIO_LOOP) return virtio_rng_loop();
    if (how == CRASH_TRIPLE_FAULT) triple_fault();
    if (how == CRASH_EXEC_MMIO) {
        void (*code)(void) = map_mmio(0xd0000000ul);
        if (code) code();
    }
    return -1;
}

i64 syscall_dispatch(u64 a0, u64 a1, u64 a2, u64 nr) {
    switch (nr) {
    case SYS_NULL:
        return 0;
    case SYS_WRITE:
        if (!user_range(a0, a1)) return -1;
        console_write((const char *)a0, a1);
        return (i64)a1;
    case SYS_READ:
        if (!user_range(a0, a1) || a1 == 0) return -1;
        return (i64)console_read((char *)a0, a1);
    case SYS_MAP:
        if (!user_range(a0, a1 * PAGE_SIZE) || (a0 & (PAGE_SIZE - 1))) return -1;
        return map_user(a0, a1);
    case SYS_UNMAP:
        if (!user_range(a0, a1 * PAGE_SIZE) || (a0 & (PAGE_SIZE - 1))) return -1;
        unmap_user(a0, a1);
        return 0;
    case SYS_INFO:
        if (a0 == INFO_BLK_SECTORS) return virtio_blk_sectors();
        return a0 == INFO_TSC_KHZ ? (i64)tsc_khz : a0 == INFO_FREE_PAGES ? (i64)mm_free_pages() : -1;
    case SYS_VCONSOLE_WRITE:
        if (!user_range(a0, a1)) return -1;
        return virtio_console_write((const char *)a0, a1);
    case SYS_BLK_READ:
    case SYS_BLK_WRITE:
        if (!user_range(a0, a1)) return -1;
        return virtio_blk_transfer(nr == SYS_BLK_WRITE, (char *)a0, a1, a2);
    case SYS_BLK_FLUSH:
        return virtio_blk_flush();
    case SYS_BLK_ID:
        if (!user_range(a0, 20)) return -1;
        return virtio_blk_id((char *)a0);
    case SYS_RNG_READ:
        if (!user_range(a0, a1)) return -1;
        return virtio_rng_read((char *)a0, a1);
    case SYS_EXITS:
        return inl(EXIT_COUNT_PORT);
    case SYS_PROBE:
        return sys_probe(a0);
    case SYS_CRASH:
        return sys_crash(a0);
    case SYS_EXIT:
        power_off((u32)a0);
    default:
        return -1;
    }
}
