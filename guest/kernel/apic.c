#include "kernel.h"

/*
 * Just enough of the interrupt controllers to take device interrupts: the local APIC enabled
 * with a spurious vector, the legacy PIC and the LAPIC's virtual-wire input (LINT0) masked so
 * only IOAPIC routes deliver (KVM starts the BSP's LINT0 in ExtINT mode, and an unprogrammed
 * PIC would deliver its IRQs on exception vectors), and IOAPIC redirection entries: fixed
 * delivery to APIC ID 0, edge-triggered, active high, as irqfd injects.
 */
#define LAPIC_BASE 0xfee00000ul
#define LAPIC_TPR 0x080
#define LAPIC_EOI 0x0b0
#define LAPIC_SVR 0x0f0
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LVT_MASKED 0x10000u
#define SVR_ENABLE 0x100u
#define SPURIOUS_VECTOR 0x3f

#define IOAPIC_BASE 0xfec00000ul
#define IOREGSEL 0x00
#define IOWIN 0x10
#define IOAPIC_VER 0x01
#define IOREDTBL 0x10

extern void irq_spurious(void);

static volatile u32 *lapic, *ioapic;

static void lapic_write(u32 reg, u32 v) { lapic[reg / 4] = v; }
static u32 ioapic_read(u32 reg) { ioapic[IOREGSEL / 4] = reg; return ioapic[IOWIN / 4]; }
static void ioapic_write(u32 reg, u32 v) { ioapic[IOREGSEL / 4] = reg; ioapic[IOWIN / 4] = v; }

int apic_init(void) {
    lapic = map_mmio(LAPIC_BASE);
    ioapic = map_mmio(IOAPIC_BASE);
    if (!lapic || !ioapic) return -1;
    outb(0x21, 0xff); /* mask every line of both PICs */
    outb(0xa1, 0xff);
    set_interrupt_gate(SPURIOUS_VECTOR, irq_spurious);
    lapic_write(LAPIC_LVT_LINT0, LVT_MASKED);
    lapic_write(LAPIC_LVT_LINT1, LVT_MASKED);
    lapic_write(LAPIC_TPR, 0);
    lapic_write(LAPIC_SVR, SVR_ENABLE | SPURIOUS_VECTOR);
    return 0;
}

int ioapic_route(u32 gsi, u8 vector) {
    u32 pins = ((ioapic_read(IOAPIC_VER) >> 16) & 0xff) + 1;
    if (gsi >= pins) return -1;
    ioapic_write(IOREDTBL + 2 * gsi + 1, 0);      /* destination: APIC ID 0 */
    ioapic_write(IOREDTBL + 2 * gsi, vector);     /* fixed, physical, active high, edge, unmasked */
    return 0;
}

void apic_eoi(void) {
    lapic_write(LAPIC_EOI, 0);
}
