package dev.vireo.runtime.spec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@code features} document (runtime-spec features.md): what this runtime understands. */
public final class Features {
    private Features() {}

    public static Map<String, Object> describe(int lastCapability, String version) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("ociVersionMin", "1.0.0");
        f.put("ociVersionMax", DefaultSpec.OCI_VERSION);
        f.put("hooks", List.of("prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"));
        f.put("mountOptions", MountOptions.known());
        Map<String, Object> linux = new LinkedHashMap<>();
        linux.put("namespaces", List.of("cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts"));
        List<String> caps = new ArrayList<>();
        for (int i = 0; i <= lastCapability; i++) caps.add(CapabilityNames.name(i));
        linux.put("capabilities", caps);
        linux.put("cgroup", Map.of("v1", true, "v2", true, "systemd", false, "systemdUser", false, "rdma", false));
        Map<String, Object> seccomp = new LinkedHashMap<>();
        seccomp.put("enabled", true);
        seccomp.put("actions", List.of("SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS",
                "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG", "SCMP_ACT_TRACE", "SCMP_ACT_TRAP"));
        seccomp.put("operators", List.of("SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE", "SCMP_CMP_LT",
                "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE"));
        seccomp.put("archs", List.of("SCMP_ARCH_X86", "SCMP_ARCH_X32", "SCMP_ARCH_X86_64"));
        List<String> flags = List.of("SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
                "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV");
        seccomp.put("knownFlags", flags);
        seccomp.put("supportedFlags", flags);
        linux.put("seccomp", seccomp);
        linux.put("apparmor", Map.of("enabled", false));
        linux.put("selinux", Map.of("enabled", false));
        linux.put("intelRdt", Map.of("enabled", false));
        linux.put("mountExtensions", Map.of("idmap", Map.of("enabled", false)));
        f.put("linux", linux);
        f.put("annotations", Map.of("dev.vireo.runtime.version", version, "dev.vireo.runtime.helper", "vireo-init (static C)"));
        return f;
    }
}
