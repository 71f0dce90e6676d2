/** An OCI runtime: namespaces, pivot_root, cgroups v1 and v2, capabilities and seccomp, with a small C helper. */
module dev.vireo.runtime {
    requires transitive dev.vireo.sys;
    requires dev.vireo.json;

    exports dev.vireo.runtime;
    opens dev.vireo.runtime.spec to dev.vireo.json;
    opens dev.vireo.runtime.seccomp to dev.vireo.json;
    opens dev.vireo.runtime.state to dev.vireo.json;
}
