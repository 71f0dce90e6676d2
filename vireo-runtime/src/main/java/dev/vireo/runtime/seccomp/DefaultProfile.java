package dev.vireo.runtime.seccomp;

import dev.vireo.runtime.spec.Json;
import dev.vireo.runtime.spec.SeccompSpec;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The default seccomp profile ({@code default-profile.json}, Docker's semantics written out as
 * data), resolved for one container's capabilities into the {@code linux.seccomp} of its config.
 */
public final class DefaultProfile {
    record Rule(String action, Integer errnoRet, List<String> names, List<SeccompSpec.Arg> args,
                        List<String> requireCapability, List<String> forbidCapability) {}

    record Profile(String defaultAction, Integer defaultErrnoRet, List<String> architectures, List<Rule> rules) {}

    /** The profile as default-profile.json has it, read once per process. */
    private static final class Loaded {
        static final Profile PROFILE = load();
    }

    private DefaultProfile() {}

    /** Reads the profile now ({@link dev.vireo.runtime.ContainerRuntime#prepare}). */
    public static void prepare() {
        Objects.requireNonNull(Loaded.PROFILE);
    }

    /** The profile for a container whose bounding set is {@code capabilities}. */
    public static SeccompSpec forCapabilities(Set<String> capabilities) {
        Profile p = Loaded.PROFILE;
        List<SeccompSpec.Syscall> syscalls = p.rules().stream()
                .filter(r -> r.requireCapability() == null || capabilities.containsAll(r.requireCapability()))
                .filter(r -> r.forbidCapability() == null || r.forbidCapability().stream().noneMatch(capabilities::contains))
                .map(r -> new SeccompSpec.Syscall(r.names(), r.action(), r.errnoRet(), r.args()))
                .toList();
        return new SeccompSpec(p.defaultAction(), p.defaultErrnoRet(), p.architectures(), null, null, null, syscalls);
    }

    private static Profile load() {
        try (InputStream in = DefaultProfile.class.getResourceAsStream("default-profile.json")) {
            if (in == null) throw new IllegalStateException("missing resource default-profile.json");
            return Json.read(in.readAllBytes(), Profile.class, "default-profile.json");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
