/*
 * The boot-info structure Vireo hands the guest (docs/BOOT-INFO.md describes it). Vireo enters
 * the kernel's ELF entry point in 64-bit mode with RDI holding this structure's physical
 * address. Under QEMU the PVH entry receives Xen's hvm_start_info instead; both begin with a
 * 32-bit magic, so the kernel tells them apart by reading it.
 */
#ifndef VIREO_BOOTINFO_H
#define VIREO_BOOTINFO_H

#include "types.h"

#define VIREO_BOOT_MAGIC 0x42524956u /* "VIRB" little-endian */
#define VIREO_BOOT_VERSION 2u

#define VIREO_MEM_RAM 1u      /* usable RAM (e820 type 1) */
#define VIREO_MEM_RESERVED 2u /* do not touch (e820 type 2) */

struct vireo_memmap_entry {
    u64 addr;
    u64 size;
    u32 type;
    u32 reserved;
};

struct vireo_boot_info {
    u32 magic;          /* VIREO_BOOT_MAGIC */
    u32 version;        /* VIREO_BOOT_VERSION */
    u64 cmdline_addr;   /* physical address of a NUL-terminated command line */
    u32 cmdline_size;   /* bytes, without the NUL */
    u32 memmap_entries; /* number of vireo_memmap_entry records */
    u64 memmap_addr;    /* physical address of the first record */
    u64 tsc_khz;        /* guest TSC frequency in kHz, 0 when unknown */
    u32 vcpus;          /* number of vCPUs */
    u32 flags;          /* reserved, 0 */
    /* version >= 2 */
    u32 virtio_entries; /* number of vireo_virtio_mmio records */
    u32 reserved;
    u64 virtio_addr;    /* physical address of the first record */
};

/* One virtio-mmio device: what Linux's virtio_mmio.device=SIZE@ADDR:IRQ says. */
struct vireo_virtio_mmio {
    u64 addr; /* guest-physical base of the register window */
    u32 size; /* bytes of the window (4096) */
    u32 irq;  /* GSI: the in-kernel IOAPIC's pin */
};

/* Xen's PVH start info (xen/include/public/arch-x86/hvm/start_info.h), as QEMU passes it. */
#define XEN_HVM_START_MAGIC 0x336ec578u

struct hvm_start_info {
    u32 magic;
    u32 version;
    u32 flags;
    u32 nr_modules;
    u64 modlist_paddr;
    u64 cmdline_paddr;
    u64 rsdp_paddr;
    u64 memmap_paddr;   /* version >= 1 */
    u32 memmap_entries; /* version >= 1 */
    u32 reserved;
};

/* hvm_memmap_table_entry has the same layout as vireo_memmap_entry. */

#endif
