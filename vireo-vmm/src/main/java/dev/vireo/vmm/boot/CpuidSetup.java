package dev.vireo.vmm.boot;

import dev.vireo.vmm.kvm.CpuidEntry;

import java.util.ArrayList;
import java.util.List;

/**
 * The CPUID a vCPU presents: what KVM supports on this host, with the vCPU's APIC ID filled in
 * and the hypervisor-present bit set, as Firecracker's normalization does at its simplest.
 */
public final class CpuidSetup {
    private CpuidSetup() {}

    public static List<CpuidEntry> forVcpu(List<CpuidEntry> supported, int vcpuId) {
        List<CpuidEntry> entries = new ArrayList<>(supported.size());
        for (CpuidEntry e : supported) {
            entries.add(switch (e.function()) {
                case 1 -> e.withEbx((e.ebx() & 0x00ffffff) | (vcpuId << 24)).withEcx(e.ecx() | (1 << 31));
                case 0xb, 0x1f -> e.withEdx(vcpuId);
                default -> e;
            });
        }
        return entries;
    }
}
