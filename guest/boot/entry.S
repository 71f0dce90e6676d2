/*
 * Kernel entry points from the CPU: exception stubs, the system-call entry, and the return to
 * user mode. The return is always iretq: sysretq raises #GP under KVM-PVM's emulator.
 */
#define USER_CS 0x23
#define USER_SS 0x1b

    .text
/* Exceptions: push a zero error code where the CPU pushes none, then the vector number. */
.macro EXC_NOERR n
    .globl exc\n
exc\n:
    pushq $0
    pushq $\n
    jmp exception_common
.endm
.macro EXC_ERR n
    .globl exc\n
exc\n:
    pushq $\n
    jmp exception_common
.endm

EXC_NOERR 0
EXC_NOERR 1
EXC_NOERR 2
EXC_NOERR 3
EXC_NOERR 4
EXC_NOERR 5
EXC_NOERR 6
EXC_NOERR 7
EXC_ERR 8
EXC_NOERR 9
EXC_ERR 10
EXC_ERR 11
EXC_ERR 12
EXC_ERR 13
EXC_ERR 14
EXC_NOERR 15
EXC_NOERR 16
EXC_ERR 17
EXC_NOERR 18
EXC_NOERR 19
EXC_NOERR 20
EXC_ERR 21

exception_common:
    push %rax
    push %rbx
    push %rcx
    push %rdx
    push %rsi
    push %rdi
    push %rbp
    push %r8
    push %r9
    push %r10
    push %r11
    push %r12
    push %r13
    push %r14
    push %r15
    mov %rsp, %rdi                  /* struct trap_frame * */
    call exception_handler          /* never returns: the machine powers off */
1:  hlt
    jmp 1b

/*
 * syscall: RCX = user RIP, R11 = user RFLAGS, the stack is still the user's. One CPU and
 * interrupts masked by SFMASK, so a fixed save slot for the user RSP is enough.
 */
    .globl syscall_entry
syscall_entry:
    mov %rsp, user_rsp(%rip)
    mov kernel_stack_top(%rip), %rsp
    push %rcx
    push %r11
    push %rdi
    push %rsi
    push %rdx
    push %r8
    push %r9
    push %r10
    mov %rax, %rcx                  /* 4th C argument: the syscall number */
    call syscall_dispatch           /* (rdi, rsi, rdx, nr) -> rax */
    pop %r10
    pop %r9
    pop %r8
    pop %rdx
    pop %rsi
    pop %rdi
    pop %r11
    pop %rcx
    pushq $USER_SS
    pushq user_rsp(%rip)
    push %r11
    pushq $USER_CS
    push %rcx
    iretq

/*
 * Device interrupts: the kernel enables them only around HLT while it waits for a device, so
 * they always arrive in kernel mode on the kernel stack. Each stub passes its vector's device
 * slot to virtio_interrupt with the caller-saved registers preserved.
 */
.macro IRQ slot
    .globl irq\slot
irq\slot:
    push %rdi
    mov $\slot, %edi
    jmp irq_common
.endm
IRQ 0
IRQ 1
IRQ 2
irq_common:
    push %rax
    push %rcx
    push %rdx
    push %rsi
    push %r8
    push %r9
    push %r10
    push %r11
    call virtio_interrupt
    pop %r11
    pop %r10
    pop %r9
    pop %r8
    pop %rsi
    pop %rdx
    pop %rcx
    pop %rax
    pop %rdi
    iretq

/* The LAPIC's spurious vector: no EOI, nothing to do. */
    .globl irq_spurious
irq_spurious:
    iretq

/* enter_user(rip, rsp, arg): first entry into user mode, RDI of the user = arg. */
    .globl enter_user
enter_user:
    pushq $USER_SS
    push %rsi
    pushq $0x2                      /* RFLAGS: IF=0, IOPL=0 */
    pushq $USER_CS
    push %rdi
    mov %rdx, %rdi
    xor %esi, %esi
    xor %edx, %edx
    xor %eax, %eax
    xor %ebx, %ebx
    xor %ecx, %ecx
    xor %ebp, %ebp
    xor %r8d, %r8d
    xor %r9d, %r9d
    xor %r10d, %r10d
    xor %r11d, %r11d
    xor %r12d, %r12d
    xor %r13d, %r13d
    xor %r14d, %r14d
    xor %r15d, %r15d
    iretq

/* load_segments(): reload CS with a far return and the data segments with kernel data. */
    .globl load_segments
load_segments:
    mov $0x10, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %ss
    xor %eax, %eax
    mov %eax, %fs
    mov %eax, %gs
    pop %rax
    pushq $0x08
    push %rax
    lretq

    .bss
    .balign 8
    .globl user_rsp
user_rsp:
    .quad 0
