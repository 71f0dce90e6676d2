package dev.vireo.runtime.spec;


import java.util.List;
import java.util.Map;

/** {@code linux.resources}: what the container's cgroup allows (config-linux.md, Control groups). */
public record Resources(List<DeviceRule> devices, Memory memory, Cpu cpu, Pids pids, BlockIO blockIO,
                        List<HugepageLimit> hugepageLimits, Network network, Map<String, String> unified) {

    public record DeviceRule(Boolean allow, String type, Long major, Long minor, String access) {}

    public record Memory(Long limit, Long reservation, Long swap, Long kernel, Long kernelTCP, Long swappiness,
                         Boolean disableOOMKiller, Boolean useHierarchy, Boolean checkBeforeUpdate) {
        public Memory(Long limit, Long swap) {
            this(limit, null, swap, null, null, null, null, null, null);
        }
    }

    public record Cpu(Long shares, Long quota, Long burst, Long period, Long realtimeRuntime, Long realtimePeriod,
                      String cpus, String mems, Long idle) {
        public static Cpu quota(long quota, long period) {
            return new Cpu(null, quota, null, period, null, null, null, null, null);
        }
    }

    public record Pids(Long limit) {}

    public record BlockIO(Integer weight, Integer leafWeight, List<WeightDevice> weightDevice,
                          List<ThrottleDevice> throttleReadBpsDevice, List<ThrottleDevice> throttleWriteBpsDevice,
                          List<ThrottleDevice> throttleReadIOPSDevice, List<ThrottleDevice> throttleWriteIOPSDevice) {}

    public record WeightDevice(Long major, Long minor, Integer weight, Integer leafWeight) {}

    public record ThrottleDevice(Long major, Long minor, Long rate) {}

    public record HugepageLimit(String pageSize, Long limit) {}

    public record Network(Integer classID, List<InterfacePriority> priorities) {}

    public record InterfacePriority(String name, Integer priority) {}


    public Resources withMemory(Memory m) {
        return new Resources(devices, m, cpu, pids, blockIO, hugepageLimits, network, unified);
    }

    public Resources withCpu(Cpu c) {
        return new Resources(devices, memory, c, pids, blockIO, hugepageLimits, network, unified);
    }

    public Resources withPids(Pids p) {
        return new Resources(devices, memory, cpu, p, blockIO, hugepageLimits, network, unified);
    }
}
