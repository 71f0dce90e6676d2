package dev.vireo.runtime.cgroups;

import dev.vireo.runtime.spec.Resources;

import java.util.List;

/** Device cgroup rules: the ones every container gets, and their text form for cgroup v1. */
final class DeviceRules {
    /**
     * What runc appends to every container's rules: mknod of any node, the standard devices,
     * pseudo-terminals (136:*, /dev/ptmx) and /dev/net/tun.
     */
    static final List<Resources.DeviceRule> RUNTIME_DEFAULTS = List.of(
            rule("c", -1, -1, "m"), rule("b", -1, -1, "m"),
            rule("c", 1, 3, "rwm"), rule("c", 1, 8, "rwm"), rule("c", 1, 7, "rwm"), rule("c", 5, 0, "rwm"),
            rule("c", 1, 5, "rwm"), rule("c", 1, 9, "rwm"), rule("c", 136, -1, "rwm"), rule("c", 5, 2, "rwm"),
            rule("c", 10, 200, "rwm"));

    private DeviceRules() {}

    private static Resources.DeviceRule rule(String type, long major, long minor, String access) {
        return new Resources.DeviceRule(true, type, major, minor, access);
    }

    /** {@code "c 1:3 rwm"}, or {@code "a"} for every device; absent numbers are wildcards. */
    static String v1Line(Resources.DeviceRule r) {
        String type = r.type() == null ? "a" : r.type();
        String access = r.access() == null || r.access().isEmpty() ? "rwm" : r.access();
        if (type.equals("a")) return "a *:* " + access;
        return type + " " + number(r.major()) + ":" + number(r.minor()) + " " + access;
    }

    private static String number(Long n) {
        return n == null || n < 0 ? "*" : Long.toString(n);
    }
}
