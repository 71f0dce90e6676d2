/** An OCI runtime: namespaces, pivot_root, cgroups v1 and v2, capabilities and seccomp, with a small C helper. */
module dev.vireo.runtime {
    requires transitive dev.vireo.sys;
    requires com.fasterxml.jackson.databind;

    exports dev.vireo.runtime;

    opens dev.vireo.runtime to com.fasterxml.jackson.databind;
    opens dev.vireo.runtime.spec to com.fasterxml.jackson.databind;
    opens dev.vireo.runtime.seccomp to com.fasterxml.jackson.databind;
    opens dev.vireo.runtime.state to com.fasterxml.jackson.databind;
}
