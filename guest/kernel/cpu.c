#include "kernel.h"

/* Descriptor tables, the TSS, system-call MSRs, and the exception handler's register dump. */

#define KERNEL_STACK_SIZE 16384
#define MSR_EFER 0xc0000080
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_SFMASK 0xc0000084
#define EFER_SCE 1
#define CR0_MP (1ul << 1)
#define CR0_EM (1ul << 2)
#define CR4_OSFXSR (1ul << 9)
#define CR4_OSXMMEXCPT (1ul << 10)

struct tss {
    u32 reserved0;
    u64 rsp0, rsp1, rsp2;
    u64 reserved1;
    u64 ist[7];
    u64 reserved2;
    u16 reserved3;
    u16 iomap_base;
    u8 iomap[128 + 1]; /* ports 0-0x3ff; the extra byte of ones ends the map */
} __attribute__((packed));

struct idt_entry {
    u16 offset_low, selector;
    u8 ist, type;
    u16 offset_mid;
    u32 offset_high, reserved;
} __attribute__((packed));

struct trap_frame {
    u64 r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
    u64 vector, error, rip, cs, rflags, rsp, ss;
};

static u8 kernel_stack[KERNEL_STACK_SIZE] __attribute__((aligned(16)));
static u8 fault_stack[4096] __attribute__((aligned(16)));
u64 kernel_stack_top;

static struct tss tss __attribute__((aligned(16)));
static u64 gdt[7] __attribute__((aligned(16))) = {
    0,
    0x00af9a000000ffff, /* 0x08 kernel code, 64-bit */
    0x00cf92000000ffff, /* 0x10 kernel data */
    0x00cff2000000ffff, /* 0x18 user data (DPL 3): SYSRET's SS would be here */
    0x00affa000000ffff, /* 0x20 user code, 64-bit (DPL 3) */
    0, 0,               /* 0x28 TSS, 16 bytes */
};
static struct idt_entry idt[256] __attribute__((aligned(16)));

struct table_pointer { u16 limit; u64 base; } __attribute__((packed));

extern void syscall_entry(void);
extern void load_segments(void);
extern void exc0(void), exc1(void), exc2(void), exc3(void), exc4(void), exc5(void), exc6(void),
    exc7(void), exc8(void), exc9(void), exc10(void), exc11(void), exc12(void), exc13(void),
    exc14(void), exc15(void), exc16(void), exc17(void), exc18(void), exc19(void), exc20(void),
    exc21(void);

static void set_gate(int vector, void (*handler)(void), int ist) {
    u64 a = (u64)handler;
    struct idt_entry *e = &idt[vector];
    e->offset_low = (u16)a;
    e->selector = 0x08;
    e->ist = (u8)ist;
    e->type = 0x8e; /* present, DPL 0, 64-bit interrupt gate */
    e->offset_mid = (u16)(a >> 16);
    e->offset_high = (u32)(a >> 32);
    e->reserved = 0;
}

void cpu_init(void) {
    kernel_stack_top = (u64)kernel_stack + KERNEL_STACK_SIZE;

    tss.rsp0 = kernel_stack_top;
    tss.ist[0] = (u64)fault_stack + sizeof fault_stack;
    tss.iomap_base = (u16)__builtin_offsetof(struct tss, iomap);
    for (usize i = 0; i < sizeof tss.iomap; i++) tss.iomap[i] = 0xff;
    tss.iomap[COM1 / 8] &= (u8)~(1u << (COM1 % 8)); /* user mode may write the UART's THR */
    u64 base = (u64)&tss, limit = sizeof tss - 1;
    gdt[5] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ul << 40) | ((limit >> 16) << 48)
             | (((base >> 24) & 0xff) << 56);
    gdt[6] = base >> 32;
    struct table_pointer gp = {sizeof gdt - 1, (u64)gdt};
    __asm__ volatile("lgdt %0" : : "m"(gp));
    load_segments();
    __asm__ volatile("ltr %w0" : : "r"(0x28));

    void (*stubs[22])(void) = {exc0, exc1, exc2, exc3, exc4, exc5, exc6, exc7, exc8, exc9, exc10,
                               exc11, exc12, exc13, exc14, exc15, exc16, exc17, exc18, exc19,
                               exc20, exc21};
    for (int v = 0; v < 22; v++) set_gate(v, stubs[v], v == 8 ? 1 : 0);
    struct table_pointer ip = {sizeof idt - 1, (u64)idt};
    __asm__ volatile("lidt %0" : : "m"(ip));

    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
    wrmsr(MSR_STAR, (0x10ul << 48) | (0x08ul << 32));
    wrmsr(MSR_LSTAR, (u64)syscall_entry);
    wrmsr(MSR_SFMASK, 0x47700); /* clear TF, IF, DF, IOPL, NT, AC on entry */

    /* user-mode workloads may use SSE; the kernel itself never touches vector registers */
    write_cr0((read_cr0() & ~CR0_EM) | CR0_MP);
    write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
}

/* Installs an interrupt gate for a device vector (the IDT is live: the CPU reads it on delivery). */
void set_interrupt_gate(int vector, void (*handler)(void)) {
    set_gate(vector, handler, 0);
}

void triple_fault(void) {
    struct table_pointer empty = {0, 0};
    __asm__ volatile("lidt %0; int3" : : "m"(empty));
    for (;;) {}
}

static const char *const names[22] = {
    "#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow", "#BR bound range",
    "#UD invalid opcode", "#NM device not available", "#DF double fault", "coprocessor overrun",
    "#TS invalid TSS", "#NP segment not present", "#SS stack fault", "#GP general protection",
    "#PF page fault", "reserved", "#MF x87 error", "#AC alignment check", "#MC machine check",
    "#XM SIMD error", "#VE virtualization", "#CP control protection"};

void exception_handler(struct trap_frame *f) {
    const char *mode = (f->cs & 3) ? "user" : "kernel";
    kprintf("\nEXCEPTION %s (vector %lu) in %s mode, error code 0x%lx\n",
            f->vector < 22 ? names[f->vector] : "?", f->vector, mode, f->error);
    kprintf("RIP=%016lx CS=%04lx RFLAGS=%016lx RSP=%016lx SS=%04lx\n", f->rip, f->cs,
            f->rflags, f->rsp, f->ss);
    kprintf("RAX=%016lx RBX=%016lx RCX=%016lx RDX=%016lx\n", f->rax, f->rbx, f->rcx, f->rdx);
    kprintf("RSI=%016lx RDI=%016lx RBP=%016lx R8 =%016lx\n", f->rsi, f->rdi, f->rbp, f->r8);
    kprintf("R9 =%016lx R10=%016lx R11=%016lx R12=%016lx\n", f->r9, f->r10, f->r11, f->r12);
    kprintf("R13=%016lx R14=%016lx R15=%016lx\n", f->r13, f->r14, f->r15);
    kprintf("CR0=%016lx CR2=%016lx CR3=%016lx CR4=%016lx\n", read_cr0(), read_cr2(),
            read_cr3(), read_cr4());
    power_off(STATUS_EXCEPTION);
}
