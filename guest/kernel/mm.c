#include "kernel.h"

/*
 * Physical frames and the kernel's own 4-level page tables. The kernel half (PML4 slots
 * 256-511) maps all RAM at KERNEL_OFFSET + physical with 2 MiB pages, supervisor only; the
 * user half (slots 0-255) holds the workload's image, stack and the pages it asks for, in
 * 4 KiB pages with the user bit. Nothing is identity-mapped once the tables are loaded, so a
 * stray low pointer faults instead of reading memory.
 */
#define PTE_P 0x1ul
#define PTE_W 0x2ul
#define PTE_U 0x4ul
#define PTE_PWT 0x8ul
#define PTE_PCD 0x10ul
#define PTE_PS 0x80ul
#define ADDR_MASK 0x000ffffffffff000ul
#define MAX_RANGES 16

static struct memory_range free_ranges[MAX_RANGES];
static u32 free_range_count, current_range;
static u64 bump;            /* next never-used frame in free_ranges[current_range] */
static u64 free_list;       /* physical address of a returned frame, linked through its first word */
static u64 free_list_length;
static u64 *pml4;

static void zero_page(u64 pa) {
    u64 *p = VIRT(pa);
    __asm__ volatile("rep stosq" : "+D"(p), "+c"((u64){512}) : "a"(0ul) : "memory");
}

/* Returns a frame, or 0 when memory is exhausted. Never-used frames are not cleared. */
static u64 alloc_frame(void) {
    if (free_list) {
        u64 pa = free_list;
        free_list = *(u64 *)VIRT(pa);
        free_list_length--;
        return pa;
    }
    while (current_range < free_range_count) {
        struct memory_range *r = &free_ranges[current_range];
        if (bump < r->addr) bump = r->addr;
        if (bump + PAGE_SIZE <= r->addr + r->size) {
            u64 pa = bump;
            bump += PAGE_SIZE;
            return pa;
        }
        current_range++;
    }
    return 0;
}

static void free_frame(u64 pa) {
    *(u64 *)VIRT(pa) = free_list;
    free_list = pa;
    free_list_length++;
}

static u64 alloc_table(void) {
    u64 pa = alloc_frame();
    if (pa) zero_page(pa);
    return pa;
}

u64 mm_free_pages(void) {
    u64 pages = free_list_length;
    for (u32 i = current_range; i < free_range_count; i++) {
        struct memory_range *r = &free_ranges[i];
        u64 start = bump > r->addr ? bump : r->addr;
        if (start < r->addr + r->size) pages += (r->addr + r->size - start) / PAGE_SIZE;
    }
    return pages;
}

/* The entry of `table` at `index`, allocating the next-level table when asked. */
static u64 *next_level(u64 *table, u64 index, u64 flags, int create) {
    if (!(table[index] & PTE_P)) {
        if (!create) return NULL;
        u64 pa = alloc_table();
        if (!pa) return NULL;
        table[index] = pa | flags | PTE_P | PTE_W;
    }
    return VIRT(table[index] & ADDR_MASK);
}

static u64 *pte_for(u64 va, int create) {
    u64 *pdpt = next_level(pml4, (va >> 39) & 511, PTE_U, create);
    if (!pdpt) return NULL;
    u64 *pd = next_level(pdpt, (va >> 30) & 511, PTE_U, create);
    if (!pd) return NULL;
    u64 *pt = next_level(pd, (va >> 21) & 511, PTE_U, create);
    if (!pt) return NULL;
    return &pt[(va >> 12) & 511];
}

static int map_kernel_2m(u64 pa, u64 flags) {
    u64 va = (u64)VIRT(pa);
    u64 *pdpt = next_level(pml4, (va >> 39) & 511, 0, 1);
    if (!pdpt) return -1;
    u64 *pd = next_level(pdpt, (va >> 30) & 511, 0, 1);
    if (!pd) return -1;
    pd[(va >> 21) & 511] = pa | flags | PTE_PS | PTE_P | PTE_W;
    return 0;
}

void mm_init(const struct memory_range *ram, u32 count) {
    u64 reserved_end = layout.user_lma_end > layout.kernel_phys_end ? layout.user_lma_end
                                                                     : layout.kernel_phys_end;
    reserved_end = (reserved_end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    for (u32 i = 0; i < count && free_range_count < MAX_RANGES; i++) {
        u64 start = ram[i].addr, end = ram[i].addr + ram[i].size;
        if (start < reserved_end) start = reserved_end;
        start = (start + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
        end &= ~(PAGE_SIZE - 1);
        if (start < end) free_ranges[free_range_count++] = (struct memory_range){start, end - start};
    }

    /* The early tables map the first GiB, which holds the kernel: enough to build the real ones. */
    u64 root = alloc_table();
    if (!root) { kprintf("mm: no memory for page tables\n"); power_off(STATUS_FAILED); }
    pml4 = VIRT(root);
    for (u32 i = 0; i < count; i++) {
        for (u64 pa = ram[i].addr & ~0x1ffffful; pa < ram[i].addr + ram[i].size; pa += 0x200000) {
            if (map_kernel_2m(pa, 0) < 0) { kprintf("mm: no memory for page tables\n"); power_off(STATUS_FAILED); }
        }
    }
    write_cr3(root);
}

int map_user(u64 va, u64 pages) {
    for (u64 i = 0; i < pages; i++, va += PAGE_SIZE) {
        u64 *pte = pte_for(va, 1);
        if (!pte) return -1;
        if (*pte & PTE_P) continue;
        u64 pa = alloc_frame();
        if (!pa) return -1;
        *pte = pa | PTE_U | PTE_W | PTE_P;
    }
    return 0;
}

int map_user_image(u64 va, u64 pa, u64 pages) {
    for (u64 i = 0; i < pages; i++) {
        u64 *pte = pte_for(va + i * PAGE_SIZE, 1);
        if (!pte) return -1;
        *pte = (pa + i * PAGE_SIZE) | PTE_U | PTE_W | PTE_P;
    }
    return 0;
}

void unmap_user(u64 va, u64 pages) {
    for (u64 i = 0; i < pages; i++, va += PAGE_SIZE) {
        u64 *pte = pte_for(va, 0);
        if (!pte || !(*pte & PTE_P)) continue;
        u64 pa = *pte & ADDR_MASK;
        *pte = 0;
        invlpg(va);
        free_frame(pa);
    }
}

void *map_mmio(u64 pa) {
    if (map_kernel_2m(pa & ~0x1ffffful, PTE_PCD | PTE_PWT) < 0) return NULL;
    invlpg((u64)VIRT(pa));
    return VIRT(pa);
}
