/*
 * Addresses the linker script defines, stored as absolute 64-bit values: kernel C code is
 * compiled position-independent and cannot reach the low or user-half symbols RIP-relatively.
 */
    .section .rodata
    .balign 8
    .globl layout
layout:
    .quad __kernel_phys_end         /* first physical byte after the kernel and its bss */
    .quad __user_lma_start          /* physical start of the user image */
    .quad __user_lma_end            /* physical end of the user image (with its bss) */
    .quad __user_vma_start          /* where the user image is mapped */
    .quad _ustart                   /* user entry point */
    .quad boot_pml4                 /* the early page tables, physical */
