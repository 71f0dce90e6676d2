#include "kernel.h"
#include "bootinfo.h"

/*
 * Front-end drivers for virtio-mmio (transport version 2, virtio 1.x) devices: the guest half
 * of the split driver. Each device gets one split virtqueue in the kernel's image (physically
 * contiguous, so PHYS() gives the address the device reads) and one request in flight at a
 * time. A notification is one write to QueueNotify, which the VMM's ioeventfd takes inside
 * KVM; completion is an interrupt through the VMM's irqfd and the in-kernel IOAPIC, on vector
 * 0x30 + the device's slot. The kernel waits for it in HLT with interrupts enabled only there
 * (sti; hlt: the interrupt shadow makes the check-then-sleep race-free); the handler reads and
 * acknowledges InterruptStatus, as Linux's virtio_mmio does, and sends the LAPIC its EOI.
 */

#define MAGIC 0x000
#define VERSION 0x004
#define DEVICE_ID 0x008
#define DEVICE_FEATURES 0x010
#define DEVICE_FEATURES_SEL 0x014
#define DRIVER_FEATURES 0x020
#define DRIVER_FEATURES_SEL 0x024
#define QUEUE_SEL 0x030
#define QUEUE_NUM_MAX 0x034
#define QUEUE_NUM 0x038
#define QUEUE_READY 0x044
#define QUEUE_NOTIFY 0x050
#define INTERRUPT_STATUS 0x060
#define INTERRUPT_ACK 0x064
#define STATUS 0x070
#define QUEUE_DESC_LOW 0x080
#define QUEUE_DESC_HIGH 0x084
#define QUEUE_DRIVER_LOW 0x090
#define QUEUE_DRIVER_HIGH 0x094
#define QUEUE_DEVICE_LOW 0x0a0
#define QUEUE_DEVICE_HIGH 0x0a4
#define CONFIG 0x100

#define S_ACKNOWLEDGE 1
#define S_DRIVER 2
#define S_DRIVER_OK 4
#define S_FEATURES_OK 8
#define S_NEEDS_RESET 64
#define S_FAILED 128

#define ID_BLOCK 2
#define ID_CONSOLE 3
#define ID_RNG 4

#define DESC_F_NEXT 1
#define DESC_F_WRITE 2
#define INTERRUPT_CONFIG 2
#define VECTOR_BASE 0x30

#define QUEUE_SIZE 16
#define CHUNK 65536 /* bytes per request */

#define BLK_T_IN 0
#define BLK_T_OUT 1
#define BLK_T_FLUSH 4
#define BLK_T_GET_ID 8

struct desc { u64 addr; u32 len; u16 flags; u16 next; };
struct avail { u16 flags; u16 idx; u16 ring[QUEUE_SIZE]; u16 used_event; };
struct used_elem { u32 id; u32 len; };
struct used { u16 flags; u16 idx; struct used_elem ring[QUEUE_SIZE]; u16 avail_event; };

/* one page per queue: descriptors, then the available ring, then the used ring (4-aligned) */
struct vq_page {
    struct desc desc[QUEUE_SIZE];
    struct avail avail;
    u16 pad;
    struct used used;
} __attribute__((aligned(4096)));

struct vdev {
    volatile u32 *regs;
    u32 queue;     /* the queue index requests go to */
    u16 next_avail, last_used;
    struct vq_page *vq;
    int ready;
    volatile int broken; /* the device set DEVICE_NEEDS_RESET: it takes no requests until reset */
};

static struct vq_page pages[3];
static struct vdev console_dev, blk_dev, rng_dev;
static struct vdev *const slots[3] = {&console_dev, &blk_dev, &rng_dev};
extern void irq0(void), irq1(void), irq2(void);
static void (*const stubs[3])(void) = {irq0, irq1, irq2};
static u8 buffer[CHUNK] __attribute__((aligned(4096)));
static struct { u32 type, reserved; u64 sector; } blk_header;
static volatile u8 blk_status;
static u64 blk_capacity;

static u32 rd(struct vdev *d, u32 off) { return d->regs[off / 4]; }
static void wr(struct vdev *d, u32 off, u32 v) { d->regs[off / 4] = v; }
static void barrier(void) { __asm__ volatile("" ::: "memory"); }

static void copy(void *to, const void *from, usize n) {
    __asm__ volatile("rep movsb" : "+D"(to), "+S"(from), "+c"(n) : : "memory");
}

/*
 * Resets, negotiates VERSION_1 only, routes the device's GSI to its vector and makes queue
 * `queue` live; returns 0 or -1. Slot i uses pages[i] and vector VECTOR_BASE + i.
 */
static int setup(u32 slot, volatile u32 *regs, u32 queue, u32 gsi) {
    struct vdev *d = slots[slot];
    struct vq_page *page = &pages[slot];
    d->regs = regs;
    d->queue = queue;
    d->vq = page;
    set_interrupt_gate(VECTOR_BASE + slot, stubs[slot]);
    if (ioapic_route(gsi, VECTOR_BASE + slot) < 0) return -1;
    wr(d, STATUS, 0);
    wr(d, STATUS, S_ACKNOWLEDGE);
    wr(d, STATUS, S_ACKNOWLEDGE | S_DRIVER);
    wr(d, DEVICE_FEATURES_SEL, 1);
    if (!(rd(d, DEVICE_FEATURES) & 1)) return -1; /* not a virtio 1.x device */
    wr(d, DRIVER_FEATURES_SEL, 0);
    wr(d, DRIVER_FEATURES, 0);
    wr(d, DRIVER_FEATURES_SEL, 1);
    wr(d, DRIVER_FEATURES, 1);
    wr(d, STATUS, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK);
    if (!(rd(d, STATUS) & S_FEATURES_OK)) return -1;
    wr(d, QUEUE_SEL, queue);
    if (rd(d, QUEUE_NUM_MAX) < QUEUE_SIZE || rd(d, QUEUE_READY)) return -1;
    wr(d, QUEUE_NUM, QUEUE_SIZE);
    page->avail.flags = 0;
    u64 desc = PHYS(page->desc), avail = PHYS(&page->avail), used = PHYS(&page->used);
    wr(d, QUEUE_DESC_LOW, (u32)desc);
    wr(d, QUEUE_DESC_HIGH, (u32)(desc >> 32));
    wr(d, QUEUE_DRIVER_LOW, (u32)avail);
    wr(d, QUEUE_DRIVER_HIGH, (u32)(avail >> 32));
    wr(d, QUEUE_DEVICE_LOW, (u32)used);
    wr(d, QUEUE_DEVICE_HIGH, (u32)(used >> 32));
    wr(d, QUEUE_READY, 1);
    wr(d, STATUS, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
    if (rd(d, STATUS) & S_NEEDS_RESET) return -1;
    d->ready = 1;
    return 0;
}

/* Sets descriptor i of the chain; `last` ends it. */
static void put(struct vdev *d, u16 i, const volatile void *buf, u32 len, int writable, int last) {
    struct desc *e = &d->vq->desc[i];
    e->addr = PHYS(buf);
    e->len = len;
    e->flags = (u16)((writable ? DESC_F_WRITE : 0) | (last ? 0 : DESC_F_NEXT));
    e->next = (u16)(i + 1);
}

/*
 * Makes the chain starting at descriptor 0 available, notifies, and sleeps until the device
 * returns it; returns the bytes it wrote, or -2 when the device broke instead.
 */
static i64 submit(struct vdev *d) {
    struct vq_page *p = d->vq;
    if (d->broken) return -2;
    p->avail.ring[d->next_avail % QUEUE_SIZE] = 0;
    barrier();
    p->avail.idx = ++d->next_avail;
    barrier();
    wr(d, QUEUE_NOTIFY, d->queue);
    while (*(volatile u16 *)&p->used.idx == d->last_used) {
        if (d->broken) return -2;
        __asm__ volatile("sti; hlt; cli" ::: "memory");
    }
    barrier();
    u32 len = p->used.ring[d->last_used % QUEUE_SIZE].len;
    d->last_used++;
    return len;
}

/* From the interrupt stubs: acknowledge what the device reports; a configuration change here means it broke. */
void virtio_interrupt(u64 slot) {
    struct vdev *d = slots[slot];
    u32 status = rd(d, INTERRUPT_STATUS);
    wr(d, INTERRUPT_ACK, status);
    if ((status & INTERRUPT_CONFIG) && (rd(d, STATUS) & S_NEEDS_RESET)) d->broken = 1;
    apic_eoi();
}

void virtio_init(const struct vireo_virtio_mmio *devices, u32 count) {
    if (apic_init() < 0) {
        kprintf("virtio: no interrupt controller to map; the devices stay unused\n");
        return;
    }
    for (u32 i = 0; i < count; i++) {
        volatile u32 *regs = map_mmio(devices[i].addr);
        if (!regs || regs[MAGIC / 4] != 0x74726976u || regs[VERSION / 4] != 2) continue;
        u32 id = regs[DEVICE_ID / 4];
        int failed = 0;
        u32 gsi = devices[i].irq;
        if (id == ID_CONSOLE && !console_dev.ready) failed = setup(0, regs, 1, gsi);
        else if (id == ID_BLOCK && !blk_dev.ready) {
            failed = setup(1, regs, 0, gsi);
            blk_capacity = (u64)regs[CONFIG / 4] | (u64)regs[CONFIG / 4 + 1] << 32;
        } else if (id == ID_RNG && !rng_dev.ready) failed = setup(2, regs, 0, gsi);
        if (failed) {
            regs[STATUS / 4] = S_FAILED;
            kprintf("virtio: device %u at %lx refused the driver\n", id, devices[i].addr);
        }
    }
}

i64 virtio_console_write(const char *s, usize n) {
    if (!console_dev.ready) return -1;
    for (usize done = 0; done < n;) {
        u32 len = n - done < CHUNK ? (u32)(n - done) : CHUNK;
        copy(buffer, s + done, len);
        put(&console_dev, 0, buffer, len, 0, 1);
        if (submit(&console_dev) < 0) return -2;
        done += len;
    }
    return (i64)n;
}

/* One block request: header, optional data, status byte; returns the status or -2. */
static i64 blk_request(u32 type, u64 sector, void *data, u32 len, int device_writes) {
    blk_header.type = type;
    blk_header.reserved = 0;
    blk_header.sector = sector;
    blk_status = 0xff;
    u16 i = 0;
    put(&blk_dev, i++, &blk_header, sizeof blk_header, 0, 0);
    if (len) put(&blk_dev, i++, data, len, device_writes, 0);
    put(&blk_dev, i, &blk_status, 1, 1, 1);
    if (submit(&blk_dev) < 0) return -2;
    return blk_status;
}

i64 virtio_blk_transfer(int write, char *buf, usize len, u64 sector) {
    if (!blk_dev.ready || len % 512) return -1;
    if (sector > blk_capacity || len / 512 > blk_capacity - sector) return -1;
    for (usize done = 0; done < len;) {
        u32 n = len - done < CHUNK ? (u32)(len - done) : CHUNK;
        if (write) copy(buffer, buf + done, n);
        if (blk_request(write ? BLK_T_OUT : BLK_T_IN, sector + done / 512, buffer, n, !write) != 0) return -2;
        if (!write) copy(buf + done, buffer, n);
        done += n;
    }
    return (i64)len;
}

i64 virtio_blk_flush(void) {
    if (!blk_dev.ready) return -1;
    return blk_request(BLK_T_FLUSH, 0, 0, 0, 0) == 0 ? 0 : -2;
}

i64 virtio_blk_id(char *buf) {
    if (!blk_dev.ready) return -1;
    for (int i = 0; i < 20; i++) buffer[i] = 0;
    if (blk_request(BLK_T_GET_ID, 0, buffer, 20, 1) != 0) return -2;
    copy(buf, buffer, 20);
    return 0;
}

i64 virtio_blk_sectors(void) {
    return blk_dev.ready ? (i64)blk_capacity : -1;
}

i64 virtio_rng_read(char *buf, usize len) {
    if (!rng_dev.ready) return -1;
    for (usize done = 0; done < len;) {
        u32 n = len - done < CHUNK ? (u32)(len - done) : CHUNK;
        put(&rng_dev, 0, buffer, n, 1, 1);
        i64 got = submit(&rng_dev);
        if (got <= 0) return -2;
        if ((u64)got < n) n = (u32)got;
        copy(buf + done, buffer, n);
        done += n;
    }
    return (i64)len;
}

/* A malicious request on purpose: two descriptors that point at each other. */
i64 virtio_rng_loop(void) {
    if (!rng_dev.ready) return -1;
    put(&rng_dev, 0, buffer, 16, 1, 0);
    put(&rng_dev, 1, buffer, 16, 1, 0);
    rng_dev.vq->desc[1].next = 0;
    return submit(&rng_dev);
}
