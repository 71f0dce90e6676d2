package dev.vireo.vmm.kvm;

/** {@code struct kvm_msr_entry}: one model-specific register and its value (16 bytes). */
public record Msr(int index, long value) {
    static final long SIZE = 16;
}
