/* The system-call interface between the guest kernel and its user-mode workloads. */
#ifndef VIREO_ABI_H
#define VIREO_ABI_H

/* syscall numbers (RAX); arguments in RDI, RSI, RDX; result in RAX, negative on failure */
#define SYS_EXIT 0    /* (status): powers the machine off with status */
#define SYS_WRITE 1   /* (buf, len): writes to the serial console, returns len */
#define SYS_NULL 2    /* (): returns 0, the cheapest round trip */
#define SYS_MAP 3     /* (va, pages): maps fresh writable pages, returns 0 */
#define SYS_UNMAP 4   /* (va, pages): unmaps pages and frees their frames, returns 0 */
#define SYS_INFO 5    /* (what): one of the INFO_ values below */
#define SYS_PROBE 6   /* (what): reads an address no device claims (PROBE_ values) */
#define SYS_CRASH 7   /* (how): makes the kernel fail on purpose (CRASH_ values) */
#define SYS_READ 8    /* (buf, len): waits for serial input, returns the bytes read (>= 1) */
#define SYS_VCONSOLE_WRITE 9 /* (buf, len): writes to virtio-console port 0, returns len */
#define SYS_BLK_READ 10      /* (buf, len, sector): reads whole sectors from virtio-blk, returns len */
#define SYS_BLK_WRITE 11     /* (buf, len, sector): writes whole sectors to virtio-blk, returns len */
#define SYS_BLK_FLUSH 12     /* (): makes virtio-blk's writes durable, returns 0 */
#define SYS_BLK_ID 13        /* (buf): the disk's 20-byte ID, returns 0 */
#define SYS_RNG_READ 14      /* (buf, len): bytes from virtio-rng, returns len */
#define SYS_EXITS 15         /* (): the VMM's exit count so far, low 32 bits (port 0xf0) */

#define INFO_TSC_KHZ 0
#define INFO_FREE_PAGES 1
#define INFO_BLK_SECTORS 2 /* virtio-blk's capacity in 512-byte sectors, -1 without a disk */

#define PROBE_PORT 0 /* inb from I/O port 0x2f8 (COM2, absent) */
#define PROBE_MMIO 1 /* 32-bit read from guest-physical 0xd0000000 (MMIO gap) */

#define CRASH_TRIPLE_FAULT 0 /* an exception with an empty IDT: the CPU shuts down */
#define CRASH_EXEC_MMIO 1    /* jump to an address no memory backs: KVM cannot emulate it */
#define CRASH_VIRTIO_LOOP 2  /* offer virtio-rng a descriptor chain that loops: returns -2 once the device gives up */

/* virtio system calls answer -1 for bad arguments or a missing device, -2 when the device failed the request */

/* exit statuses */
#define STATUS_OK 0
#define STATUS_FAILED 1
#define STATUS_USAGE 2
#define STATUS_EXCEPTION 3

/* user address space */
#define USER_IMAGE_BASE 0x400000ul
#define USER_STACK_TOP 0x7ffffff00000ul
#define USER_STACK_PAGES 16ul
#define USER_HEAP_BASE 0x100000000000ul /* memtouch's region */
#define USER_SCRATCH_BASE 0x200000000000ul /* pagetable's region */

#define PAGE_SIZE 4096ul

#endif
