package dev.vireo.vmm.kvm;

import java.util.List;

/**
 * Everything KVM holds for one vCPU, as the {@code linux/kvm.h} structures: what a snapshot or a
 * migration carries. {@link Vcpu#captureState} fills it in the order KVM's api.rst and Firecracker
 * need (MP state first, vCPU events last), {@link Vcpu#restoreState} sets it back in theirs. Parts
 * the host or the VM lacks are null ({@code xsave} without KVM_CAP_XSAVE, {@code lapic} without an
 * in-kernel irqchip, ...). The arrays are the raw structures, never changed after capture.
 *
 * @param mpState {@code struct kvm_mp_state} (KVM_MP_STATE_RUNNABLE, HALTED, ...)
 * @param xsave   {@code struct kvm_xsave}, 4096 bytes or the larger size KVM_CAP_XSAVE2 reports
 * @param xcrs    {@code struct kvm_xcrs}
 * @param debugRegs {@code struct kvm_debugregs}
 * @param lapic   {@code struct kvm_lapic_state}, the local APIC's register page
 * @param msrs    every MSR of KVM_GET_MSR_INDEX_LIST that reads back on this vCPU
 * @param events  {@code struct kvm_vcpu_events}: pending exceptions, interrupts, NMI, SMI, shadow
 */
public record VcpuState(int id, List<CpuidEntry> cpuid, int mpState, Regs regs, Sregs sregs, Fpu fpu, byte[] xsave,
                        byte[] xcrs, byte[] debugRegs, byte[] lapic, List<Msr> msrs, byte[] events) {
    public static final int LAPIC_SIZE = 1024, EVENTS_SIZE = 64, DEBUGREGS_SIZE = 128, XSAVE_SIZE = 4096, XCRS_SIZE = 392;

    /** Offset of {@code flags} in {@code struct kvm_vcpu_events}. */
    static final long EVENTS_FLAGS = 20;
    /** KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SIPI_VECTOR: restore these fields too (KVM_GET leaves them out of flags). */
    static final int EVENTS_RESTORE_FLAGS = 0x1 | 0x2;

    /**
     * What this host's KVM offers beyond regs/sregs/FPU, probed once per VM: the XSAVE area's
     * size (0 without KVM_CAP_XSAVE; above 4096 with KVM_CAP_XSAVE2), XCRs, debug registers,
     * vCPU events, and the candidate MSRs (KVM_GET_MSR_INDEX_LIST).
     */
    public record Support(int xsaveSize, boolean xcrs, boolean debugRegs, boolean events, List<Integer> msrIndices) {
        public Support {
            msrIndices = List.copyOf(msrIndices);
        }
    }

    public VcpuState {
        cpuid = List.copyOf(cpuid);
        msrs = List.copyOf(msrs);
    }
}
