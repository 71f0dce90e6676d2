package dev.vireo.runtime.spec;


import java.util.List;
import java.util.Map;

/**
 * An OCI runtime configuration ({@code config.json}, runtime-spec config.md), as parsed: every
 * field may be absent (null). {@link ConfigValidator} checks it; unknown properties are ignored,
 * as the specification asks.
 */
public record Spec(String ociVersion, ProcessSpec process, Root root, String hostname, String domainname,
                   List<Mount> mounts, Hooks hooks, Map<String, String> annotations, LinuxSpec linux) {

    public record Root(String path, Boolean readonly) {}

    public record Mount(String destination, String type, String source, List<String> options,
                        List<LinuxSpec.IdMapping> uidMappings, List<LinuxSpec.IdMapping> gidMappings) {
        public Mount(String destination, String type, String source, List<String> options) {
            this(destination, type, source, options, null, null);
        }
    }

    public record Hooks(List<Hook> prestart, List<Hook> createRuntime, List<Hook> createContainer,
                        List<Hook> startContainer, List<Hook> poststart, List<Hook> poststop) {}

    public record Hook(String path, List<String> args, List<String> env, Integer timeout) {}

    public Spec withProcess(ProcessSpec p) {
        return new Spec(ociVersion, p, root, hostname, domainname, mounts, hooks, annotations, linux);
    }

    public Spec withRoot(Root r) {
        return new Spec(ociVersion, process, r, hostname, domainname, mounts, hooks, annotations, linux);
    }

    public Spec withHostname(String h) {
        return new Spec(ociVersion, process, root, h, domainname, mounts, hooks, annotations, linux);
    }

    public Spec withMounts(List<Mount> m) {
        return new Spec(ociVersion, process, root, hostname, domainname, m, hooks, annotations, linux);
    }

    public Spec withHooks(Hooks h) {
        return new Spec(ociVersion, process, root, hostname, domainname, mounts, h, annotations, linux);
    }

    public Spec withLinux(LinuxSpec l) {
        return new Spec(ociVersion, process, root, hostname, domainname, mounts, hooks, annotations, l);
    }
}
