package dev.vireo.runtime;

import dev.vireo.runtime.seccomp.DefaultProfile;
import dev.vireo.runtime.spec.DefaultSpec;
import dev.vireo.runtime.spec.Json;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The runtime's defaults for an engine that writes config.json itself (as podman writes the
 * one runc reads): the paths Docker masks and makes read-only in /proc and /sys, and the
 * default seccomp profile resolved for a capability set, as JSON for {@code linux.seccomp}.
 */
public final class SpecDefaults {
    private SpecDefaults() {}

    /** /proc and /sys entries hidden from a container (Docker's list, with this host's CPU thermal_throttle directories). */
    public static List<String> maskedPaths() {
        return DefaultSpec.maskedPaths();
    }

    /** /proc entries a container sees read-only. */
    public static List<String> readonlyPaths() {
        return DefaultSpec.READONLY;
    }

    /** Docker's default seccomp profile for a container whose bounding set is {@code capabilities}, as a JSON object. */
    public static String seccompProfile(Collection<String> capabilities) {
        return new String(Json.compact(DefaultProfile.forCapabilities(new LinkedHashSet<>(capabilities))), StandardCharsets.UTF_8);
    }
}
