/*
 * The two ways into the kernel, both in the identity-mapped .boot section at 1 MiB:
 *  - _start64: Vireo's entry (the ELF entry point). The VMM has already put the CPU in 64-bit
 *    long mode with identity page tables; RDI holds the boot-info physical address.
 *  - _start32: the Xen PVH entry named by the ELF note below, used by QEMU's -kernel. The CPU
 *    is in 32-bit protected mode without paging; EBX holds the hvm_start_info address.
 * Both load the same static early page tables (identity and kernel half both map the first
 * GiB) and jump to kmain in the kernel half. This path is a handful of instructions because
 * kernel-mode code is emulated instruction by instruction on KVM-PVM hosts.
 */
#define KERNEL_OFFSET 0xffff800000000000
#define EFER_MSR 0xc0000080
#define EFER_LME (1 << 8)
#define CR0_PE 1
#define CR0_PG (1 << 31)
#define CR4_PAE (1 << 5)

    .section .note.Xen, "a", @note
    .balign 4
    .long 4            /* name size: "Xen\0" */
    .long 8            /* descriptor size */
    .long 18           /* XEN_ELFNOTE_PHYS32_ENTRY */
    .asciz "Xen"
    .balign 4
    .quad _start32

    .section .boot.text, "ax", @progbits
    .code32
    .globl _start32
_start32:
    cli
    cld
    mov %ebx, %esi                  /* hvm_start_info, survives into 64-bit mode */
    mov %cr4, %eax
    or $CR4_PAE, %eax
    mov %eax, %cr4
    mov $boot_pml4, %eax
    mov %eax, %cr3
    mov $EFER_MSR, %ecx
    rdmsr
    or $EFER_LME, %eax
    wrmsr
    mov %cr0, %eax
    or $(CR0_PE | CR0_PG), %eax
    mov %eax, %cr0
    lgdt boot_gdt_pointer
    ljmp $0x08, $from32

    .code64
from32:
    mov $0x10, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %ss
    mov %esi, %edi                  /* zero-extends: the hvm_start_info address */
    jmp common64

    .globl _start64
_start64:
    cli
    cld
    mov $boot_pml4, %eax
    mov %rax, %cr3
common64:
    movabs $(boot_stack_top + KERNEL_OFFSET), %rsp
    movabs $kmain, %rax
    call *%rax
1:  hlt
    jmp 1b

    .section .boot.data, "aw", @progbits
    .balign 8
boot_gdt:
    .quad 0
    .quad 0x00af9a000000ffff        /* 0x08: 64-bit code, DPL 0 */
    .quad 0x00cf92000000ffff        /* 0x10: data, DPL 0 */
boot_gdt_end:
boot_gdt_pointer:
    .word boot_gdt_end - boot_gdt - 1
    .long boot_gdt

    .balign 4096
    .globl boot_pml4
boot_pml4:
    .quad boot_pdpt + 3             /* identity: the boot code keeps running after CR3 changes */
    .fill 255, 8, 0
    .quad boot_pdpt + 3             /* kernel half: KERNEL_OFFSET + physical */
    .fill 255, 8, 0
boot_pdpt:
    .quad boot_pd + 3
    .fill 511, 8, 0
boot_pd:                            /* the first GiB in 2 MiB pages */
    .set page, 0
    .rept 512
    .quad (page << 21) | 0x83
    .set page, page + 1
    .endr

    .balign 16
    .fill 4096, 1, 0
boot_stack_top:
