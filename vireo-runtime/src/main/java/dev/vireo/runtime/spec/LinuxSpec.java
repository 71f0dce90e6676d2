package dev.vireo.runtime.spec;


import java.util.List;
import java.util.Map;

/** {@code linux} of config.json (config-linux.md): namespaces, IDs, devices, cgroups, seccomp, paths. */
public record LinuxSpec(List<IdMapping> uidMappings, List<IdMapping> gidMappings, Map<String, String> sysctl,
                        Resources resources, String cgroupsPath, List<Namespace> namespaces, List<Device> devices,
                        SeccompSpec seccomp, String rootfsPropagation, List<String> maskedPaths,
                        List<String> readonlyPaths, String mountLabel, Personality personality,
                        Map<String, TimeOffset> timeOffsets) {

    public record IdMapping(Long containerID, Long hostID, Long size) {}

    public record Namespace(String type, String path) {
        public Namespace(String type) {
            this(type, null);
        }
    }

    public record Device(String type, String path, Long major, Long minor, Integer fileMode, Long uid, Long gid) {}

    public record Personality(String domain, List<String> flags) {}

    public record TimeOffset(Long secs, Long nanosec) {}

    public LinuxSpec withNamespaces(List<Namespace> n) {
        return new LinuxSpec(uidMappings, gidMappings, sysctl, resources, cgroupsPath, n, devices, seccomp,
                rootfsPropagation, maskedPaths, readonlyPaths, mountLabel, personality, timeOffsets);
    }

    public LinuxSpec withResources(Resources r) {
        return new LinuxSpec(uidMappings, gidMappings, sysctl, r, cgroupsPath, namespaces, devices, seccomp,
                rootfsPropagation, maskedPaths, readonlyPaths, mountLabel, personality, timeOffsets);
    }

    public LinuxSpec withSeccomp(SeccompSpec s) {
        return new LinuxSpec(uidMappings, gidMappings, sysctl, resources, cgroupsPath, namespaces, devices, s,
                rootfsPropagation, maskedPaths, readonlyPaths, mountLabel, personality, timeOffsets);
    }

    public LinuxSpec withIdMappings(List<IdMapping> uids, List<IdMapping> gids) {
        return new LinuxSpec(uids, gids, sysctl, resources, cgroupsPath, namespaces, devices, seccomp,
                rootfsPropagation, maskedPaths, readonlyPaths, mountLabel, personality, timeOffsets);
    }

    public LinuxSpec withSysctl(Map<String, String> s) {
        return new LinuxSpec(uidMappings, gidMappings, s, resources, cgroupsPath, namespaces, devices, seccomp,
                rootfsPropagation, maskedPaths, readonlyPaths, mountLabel, personality, timeOffsets);
    }


}
