#include "kernel.h"
#include "bootinfo.h"

/*
 * kmain: reads the boot information (Vireo's or PVH's), sets up the CPU and the page tables,
 * maps the user image and stack, and enters the workload named on the command line in user
 * mode. The workload ends with SYS_EXIT, which powers the machine off.
 */

#define MAX_CMDLINE 512

static char cmdline[MAX_CMDLINE];
static struct memory_range ram[16];
static u32 ram_count;
static u64 virtio_table; /* physical address of the boot info's virtio-mmio records */
static u32 virtio_count;

extern void enter_user(u64 rip, u64 rsp, u64 arg) __attribute__((noreturn));

static void copy_cmdline(u64 pa) {
    usize n = 0;
    if (pa) {
        const char *s = VIRT(pa);
        while (n < MAX_CMDLINE - 1 && s[n]) { cmdline[n] = s[n]; n++; }
    }
    cmdline[n] = 0;
}

static void read_memmap(u64 pa, u32 entries) {
    const struct vireo_memmap_entry *e = VIRT(pa);
    for (u32 i = 0; i < entries && ram_count < 16; i++) {
        if (e[i].type == VIREO_MEM_RAM) ram[ram_count++] = (struct memory_range){e[i].addr, e[i].size};
    }
}

static const char *read_boot_info(u64 pa) {
    u32 magic = *(const u32 *)VIRT(pa);
    if (magic == VIREO_BOOT_MAGIC) {
        const struct vireo_boot_info *b = VIRT(pa);
        copy_cmdline(b->cmdline_addr);
        read_memmap(b->memmap_addr, b->memmap_entries);
        tsc_khz = b->tsc_khz;
        if (b->version >= 2) {
            virtio_table = b->virtio_addr;
            virtio_count = b->virtio_entries;
        }
        return "vireo";
    }
    if (magic == XEN_HVM_START_MAGIC) {
        const struct hvm_start_info *h = VIRT(pa);
        copy_cmdline(h->cmdline_paddr);
        if (h->version >= 1) read_memmap(h->memmap_paddr, h->memmap_entries);
        return "pvh";
    }
    return NULL;
}

void kmain(u64 boot_info) {
    console_init();
    const char *protocol = read_boot_info(boot_info);
    if (!protocol) {
        kprintf("vireo-guest: unknown boot information at %lx\n", boot_info);
        power_off(STATUS_FAILED);
    }
    if (ram_count == 0) {
        kprintf("vireo-guest: the boot information has no RAM\n");
        power_off(STATUS_FAILED);
    }
    cpu_init();
    mm_init(ram, ram_count);
    if (virtio_count) virtio_init(VIRT(virtio_table), virtio_count);
    kprintf("vireo-guest: booted via %s, %lu free pages, cmdline \"%s\"\n", protocol,
            mm_free_pages(), cmdline);

    u64 image_pages = (layout.user_lma_end - layout.user_lma_start + PAGE_SIZE - 1) / PAGE_SIZE;
    u64 stack_bottom = USER_STACK_TOP - USER_STACK_PAGES * PAGE_SIZE;
    if (map_user_image(layout.user_vma_start, layout.user_lma_start, image_pages) < 0
        || map_user(stack_bottom, USER_STACK_PAGES) < 0) {
        kprintf("vireo-guest: not enough memory for the user program\n");
        power_off(STATUS_FAILED);
    }
    /* the command line goes on top of the user stack; its address is the workload's argument */
    usize n = 0;
    while (cmdline[n]) n++;
    char *top = (char *)(USER_STACK_TOP - ((n + 16) & ~15ul));
    for (usize i = 0; i <= n; i++) top[i] = cmdline[i]; /* user pages are reachable from the kernel */
    enter_user(layout.user_entry, (u64)top - 64, (u64)top);
}
