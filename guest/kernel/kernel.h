/* Declarations shared by the kernel's files, and the few instructions it needs as inline asm. */
#ifndef VIREO_KERNEL_H
#define VIREO_KERNEL_H

#include "types.h"
#include "abi.h"

#define KERNEL_OFFSET 0xffff800000000000ul
#define PHYS(va) ((u64)(va) - KERNEL_OFFSET)
#define VIRT(pa) ((void *)((u64)(pa) + KERNEL_OFFSET))

#define EXIT_PORT 0xf4
#define EXIT_COUNT_PORT 0xf0 /* Vireo: the VMM's exit count (ExitCountPort) */
#define COM1 0x3f8

static inline void outb(u16 port, u8 v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline u32 inl(u16 port) { u32 v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline u8 inb(u16 port) { u8 v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline void wrmsr(u32 msr, u64 v) {
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)));
}
static inline u64 rdmsr(u32 msr) {
    u32 lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((u64)hi << 32) | lo;
}
static inline u64 read_cr0(void) { u64 v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static inline u64 read_cr2(void) { u64 v; __asm__ volatile("mov %%cr2, %0" : "=r"(v)); return v; }
static inline u64 read_cr3(void) { u64 v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static inline u64 read_cr4(void) { u64 v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static inline void write_cr0(u64 v) { __asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory"); }
static inline void write_cr3(u64 v) { __asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory"); }
static inline void write_cr4(u64 v) { __asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory"); }
static inline void invlpg(u64 va) { __asm__ volatile("invlpg (%0)" : : "r"(va) : "memory"); }

/* layout.S */
struct layout {
    u64 kernel_phys_end, user_lma_start, user_lma_end, user_vma_start, user_entry, boot_pml4;
};
extern const struct layout layout;

/* console.c */
void console_init(void);
void console_write(const char *s, usize n);
usize console_read(char *s, usize n);
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* power.c */
__attribute__((noreturn)) void power_off(u32 status);

/* cpu.c */
void cpu_init(void);
__attribute__((noreturn)) void triple_fault(void);
void set_interrupt_gate(int vector, void (*handler)(void));

/* apic.c: the local APIC and the IOAPIC, as KVM's in-kernel irqchip emulates them */
int apic_init(void);
int ioapic_route(u32 gsi, u8 vector);
void apic_eoi(void);
extern u64 kernel_stack_top;

/* mm.c */
struct memory_range { u64 addr, size; };
void mm_init(const struct memory_range *ram, u32 count);
u64 mm_free_pages(void);
int map_user(u64 va, u64 pages);
int map_user_image(u64 va, u64 pa, u64 pages);
void unmap_user(u64 va, u64 pages);
void *map_mmio(u64 pa);

/* virtio.c: polled front-end drivers for virtio-mmio devices */
struct vireo_virtio_mmio;
void virtio_init(const struct vireo_virtio_mmio *devices, u32 count);
i64 virtio_console_write(const char *s, usize n);
i64 virtio_blk_transfer(int write, char *buf, usize len, u64 sector);
i64 virtio_blk_flush(void);
i64 virtio_blk_id(char *buf);
i64 virtio_blk_sectors(void);
i64 virtio_rng_read(char *buf, usize len);
i64 virtio_rng_loop(void);
void virtio_interrupt(u64 slot);

/* syscall.c */
extern u64 tsc_khz;

#endif
