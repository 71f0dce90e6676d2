package dev.vireo.vmm.kvm;

import java.util.List;

/**
 * A VM's state that KVM keeps outside the vCPUs, as the {@code linux/kvm.h} structures: the
 * in-kernel interrupt controllers (PIC master, PIC slave, IOAPIC as {@code struct kvm_irqchip},
 * empty when the VM has no in-kernel irqchip), the PIT ({@code struct kvm_pit_state2}, null
 * without KVM_CREATE_PIT2), and kvmclock ({@code struct kvm_clock_data}). Captured and restored
 * by {@link Vm#capturePlatform()} and {@link Vm#restorePlatform}; the arrays are never changed.
 */
public record VmPlatformState(List<byte[]> irqchips, byte[] pit2, byte[] clock) {
    public static final int IRQCHIP_SIZE = 520, PIT2_SIZE = 112, CLOCK_SIZE = 48;

    public VmPlatformState {
        irqchips = List.copyOf(irqchips);
    }
}
