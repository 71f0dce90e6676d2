package dev.vireo.runtime.spec;

import dev.vireo.runtime.ConfigException;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a config.json against the runtime specification and against what this host allows,
 * before anything is created. The first problem found is thrown as a {@link ConfigException}
 * naming its field; problems the specification says to tolerate (a capability the kernel does
 * not know) come back as warnings.
 */
public final class ConfigValidator {
    private static final Pattern SEMVER = Pattern.compile("(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?");
    private static final BigInteger U64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    static final List<String> RLIMITS = List.of("RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK",
            "RLIMIT_CORE", "RLIMIT_RSS", "RLIMIT_NPROC", "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS", "RLIMIT_LOCKS",
            "RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE", "RLIMIT_NICE", "RLIMIT_RTPRIO", "RLIMIT_RTTIME");

    private final Spec spec;
    private final Path bundle;
    private final HostFacts host;
    private final List<String> warnings = new ArrayList<>();

    private ConfigValidator(Spec spec, Path bundle, HostFacts host) {
        this.spec = spec;
        this.bundle = bundle;
        this.host = host;
    }

    /** Validates {@code spec} of the bundle at {@code bundle}; returns the warnings. */
    public static List<String> validate(Spec spec, Path bundle, HostFacts host) {
        ConfigValidator v = new ConfigValidator(spec, bundle, host);
        v.check();
        return List.copyOf(v.warnings);
    }

    /** The resource number of an RLIMIT_ name, as setrlimit(2) takes it. */
    public static int rlimitNumber(String name) {
        return RLIMITS.indexOf(name);
    }

    private void check() {
        if (spec.ociVersion() == null) throw new ConfigException("ociVersion", "missing");
        var version = SEMVER.matcher(spec.ociVersion());
        if (!version.matches()) throw new ConfigException("ociVersion", spec.ociVersion() + " is not a SemVer version");
        if (!version.group(1).equals("1")) {
            throw new ConfigException("ociVersion", spec.ociVersion() + ": this runtime implements version 1 of the specification");
        }
        root();
        process();
        LinuxValidator.check(spec, host, warnings);
        mounts();
        hooks();
        if (spec.hostname() != null && !LinuxValidator.hasNamespace(spec, "uts")) {
            throw new ConfigException("hostname", "setting a hostname needs a uts namespace in linux.namespaces");
        }
        if (spec.domainname() != null && !LinuxValidator.hasNamespace(spec, "uts")) {
            throw new ConfigException("domainname", "setting a domain name needs a uts namespace in linux.namespaces");
        }
    }

    private void root() {
        if (spec.root() == null) throw new ConfigException("root", "missing");
        if (spec.root().path() == null || spec.root().path().isEmpty()) throw new ConfigException("root.path", "missing");
        Path rootfs = bundle.resolve(spec.root().path());
        if (!Files.isDirectory(rootfs)) throw new ConfigException("root.path", rootfs + " is not a directory");
    }

    private void process() {
        ProcessSpec p = spec.process();
        if (p == null) throw new ConfigException("process", "missing");
        if (p.args() == null || p.args().isEmpty()) throw new ConfigException("process.args", "must have at least one entry");
        for (int i = 0; i < p.args().size(); i++) {
            if (p.args().get(i) == null) throw new ConfigException("process.args[" + i + "]", "is null");
        }
        if (p.args().getFirst().isEmpty()) throw new ConfigException("process.args[0]", "is empty");
        if (p.cwd() == null) throw new ConfigException("process.cwd", "missing");
        if (!p.cwd().startsWith("/")) throw new ConfigException("process.cwd", "must be an absolute path, not \"" + p.cwd() + "\"");
        if (p.env() != null) {
            for (int i = 0; i < p.env().size(); i++) {
                String e = p.env().get(i);
                if (e == null || e.indexOf('=') <= 0) throw new ConfigException("process.env[" + i + "]", "must be KEY=VALUE, not \"" + e + "\"");
            }
        }
        if (p.user() != null) {
            ProcessSpec.User u = p.user();
            if (u.uid() != null && (u.uid() < 0 || u.uid() > 0xfffffffeL)) throw new ConfigException("process.user.uid", "out of range");
            if (u.gid() != null && (u.gid() < 0 || u.gid() > 0xfffffffeL)) throw new ConfigException("process.user.gid", "out of range");
            if (u.umask() != null && (u.umask() < 0 || u.umask() > 0777)) throw new ConfigException("process.user.umask", "must be 0 to 0777");
            if (u.additionalGids() != null) {
                for (int i = 0; i < u.additionalGids().size(); i++) {
                    Long g = u.additionalGids().get(i);
                    if (g == null || g < 0 || g > 0xfffffffeL) throw new ConfigException("process.user.additionalGids[" + i + "]", "out of range");
                }
            }
        }
        rlimits(p.rlimits());
        capabilities(p.capabilities());
        if (p.oomScoreAdj() != null) {
            int adj = p.oomScoreAdj();
            if (adj < -1000 || adj > 1000) throw new ConfigException("process.oomScoreAdj", "must be -1000 to 1000");
            if (adj < host.oomScoreAdj() && !host.holds(CapabilityNames.CAP_SYS_RESOURCE)) {
                throw new ConfigException("process.oomScoreAdj", adj + " is below this runtime's own " + host.oomScoreAdj()
                        + ", and lowering it needs CAP_SYS_RESOURCE, which this host does not give");
            }
        }
        if (p.apparmorProfile() != null && !p.apparmorProfile().isEmpty() && !host.appArmor()) {
            throw new ConfigException("process.apparmorProfile", "AppArmor is not enabled on this host");
        }
        if (p.selinuxLabel() != null && !p.selinuxLabel().isEmpty() && !host.selinux()) {
            throw new ConfigException("process.selinuxLabel", "SELinux is not enabled on this host");
        }
        if (p.consoleSize() != null && !Boolean.TRUE.equals(p.terminal())) {
            throw new ConfigException("process.consoleSize", "is only meaningful with process.terminal");
        }
        ProcessScheduling.check(p);
    }

    private void rlimits(List<ProcessSpec.Rlimit> rlimits) {
        if (rlimits == null) return;
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < rlimits.size(); i++) {
            ProcessSpec.Rlimit r = rlimits.get(i);
            String at = "process.rlimits[" + i + "]";
            if (r.type() == null || !RLIMITS.contains(r.type())) throw new ConfigException(at + ".type", "unknown limit " + r.type());
            if (!seen.add(r.type())) throw new ConfigException(at + ".type", r.type() + " appears twice");
            BigInteger soft = u64(r.soft(), at + ".soft"), hard = u64(r.hard(), at + ".hard");
            if (soft.compareTo(hard) > 0) throw new ConfigException(at + ".soft", "is above the hard limit");
            Long own = host.hardLimits().get(r.type());
            boolean raise = own != null && own != HostFacts.UNLIMITED
                    && (hard.equals(U64_MAX) || hard.compareTo(BigInteger.valueOf(own)) > 0);
            if (raise && !host.holds(CapabilityNames.CAP_SYS_RESOURCE)) {
                throw new ConfigException(at + ".hard", r.type() + " " + hard + " is above this host's hard limit " + own
                        + ", and raising it needs CAP_SYS_RESOURCE, which this host does not give");
            }
        }
    }

    private static BigInteger u64(BigInteger value, String field) {
        if (value == null) throw new ConfigException(field, "missing");
        if (value.signum() < 0 || value.compareTo(U64_MAX) > 0) throw new ConfigException(field, "must be 0 to 2^64-1");
        return value;
    }

    private void capabilities(ProcessSpec.Capabilities caps) {
        if (caps == null) return;
        check(caps.bounding(), "bounding");
        check(caps.effective(), "effective");
        check(caps.permitted(), "permitted");
        check(caps.inheritable(), "inheritable");
        check(caps.ambient(), "ambient");
    }

    /** Unknown or ungrantable capabilities are warnings, as the specification asks. */
    private void check(List<String> names, String set) {
        if (names == null) return;
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            int n = name == null ? -1 : CapabilityNames.number(name);
            String at = "process.capabilities." + set + "[" + i + "]";
            if (n < 0) warnings.add(at + ": unknown capability " + name + ", ignored");
            else if (n > host.lastCapability()) warnings.add(at + ": " + name + " is unknown to this kernel, ignored");
            else if ((host.boundingCapabilities() >>> n & 1) == 0) warnings.add(at + ": " + name + " cannot be granted here, ignored");
        }
    }

    private void mounts() {
        if (spec.mounts() == null) return;
        for (int i = 0; i < spec.mounts().size(); i++) {
            Spec.Mount m = spec.mounts().get(i);
            String at = "mounts[" + i + "]";
            if (m == null) throw new ConfigException(at, "is null");
            if (m.destination() == null) throw new ConfigException(at + ".destination", "missing");
            containerPath(m.destination(), at + ".destination");
            MountOptions options = MountOptions.parse(m.options(), at + ".options");
            if (m.uidMappings() != null || m.gidMappings() != null) {
                throw new ConfigException(at + ".uidMappings", "idmapped mounts are not supported by this runtime");
            }
            boolean bind = options.bind() || "bind".equals(m.type());
            if (bind) {
                if (m.source() == null || m.source().isEmpty()) throw new ConfigException(at + ".source", "a bind mount needs a source");
                Path source = bundle.resolve(m.source());
                if (!Files.exists(source)) throw new ConfigException(at + ".source", source + " does not exist");
            } else if (m.type() == null || m.type().isEmpty()) {
                throw new ConfigException(at + ".type", "missing (only bind mounts may omit it)");
            }
        }
    }

    private void hooks() {
        Spec.Hooks h = spec.hooks();
        if (h == null) return;
        hooks(h.prestart(), "prestart");
        hooks(h.createRuntime(), "createRuntime");
        hooks(h.createContainer(), "createContainer");
        hooks(h.startContainer(), "startContainer");
        hooks(h.poststart(), "poststart");
        hooks(h.poststop(), "poststop");
    }

    private static void hooks(List<Spec.Hook> hooks, String kind) {
        if (hooks == null) return;
        for (int i = 0; i < hooks.size(); i++) {
            Spec.Hook hook = hooks.get(i);
            String at = "hooks." + kind + "[" + i + "]";
            if (hook == null || hook.path() == null) throw new ConfigException(at + ".path", "missing");
            if (!hook.path().startsWith("/")) throw new ConfigException(at + ".path", "must be absolute, not \"" + hook.path() + "\"");
            if (hook.timeout() != null && hook.timeout() <= 0) throw new ConfigException(at + ".timeout", "must be greater than zero");
            if (hook.env() != null) {
                for (String e : hook.env()) {
                    if (e == null || e.indexOf('=') <= 0) throw new ConfigException(at + ".env", "must be KEY=VALUE, not \"" + e + "\"");
                }
            }
        }
    }

    /** An absolute path inside the container, without {@code .} or {@code ..} steps. */
    static void containerPath(String path, String field) {
        if (!path.startsWith("/")) throw new ConfigException(field, "must be an absolute path, not \"" + path + "\"");
        for (String part : path.split("/")) {
            if (part.equals("..") || part.equals(".")) throw new ConfigException(field, path + " has a " + part + " step");
        }
        if (path.indexOf('\0') >= 0) throw new ConfigException(field, "contains a NUL byte");
    }
}
