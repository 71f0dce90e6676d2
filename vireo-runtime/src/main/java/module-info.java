/** An OCI runtime: namespaces, pivot_root, cgroups v1 and v2, capabilities and seccomp, with a small C helper. */
module dev.vireo.runtime {
    requires transitive dev.vireo.sys;
    requires com.fasterxml.jackson.core;

    exports dev.vireo.runtime;
}
