package dev.vireo.vmm.snapshot;

import dev.vireo.vmm.kvm.VcpuState;
import dev.vireo.vmm.kvm.VmPlatformState;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything about a paused VM except the contents of its memory: what it was built from, each
 * vCPU's KVM state, the VM-wide KVM state, and each device's state by device name. Taken by
 * {@code Machine.captureState()} while paused and given to {@code MachineBuilder.restore}, which
 * builds the same machine and sets it all back; {@link StateFile} turns it into bytes and back.
 * Snapshots and live migration both carry it.
 *
 * @param devices each {@link dev.vireo.vmm.devices.Snapshottable}'s saved bytes, in the machine's device order
 */
public record MachineState(Config config, List<VcpuState> vcpus, VmPlatformState platform, Map<String, byte[]> devices) {
    /**
     * What the machine was built from: guest memory size (laid out as {@code GuestMemory.anonymous}
     * does), vCPU count, the kernel's name and command line (for people: the kernel is already in
     * memory), and the names of its devices, which the restored machine must have too.
     */
    public record Config(long memoryBytes, int vcpus, String kernel, String cmdline, List<String> devices) {
        public Config {
            devices = List.copyOf(devices);
        }
    }

    public MachineState {
        vcpus = List.copyOf(vcpus);
        devices = Collections.unmodifiableMap(new LinkedHashMap<>(devices));
    }
}
