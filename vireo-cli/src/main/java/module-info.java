/** The vireo command. */
module dev.vireo.cli {
    requires dev.vireo.oci;
    requires dev.vireo.sys;
    requires dev.vireo.vmm;
    requires dev.vireo.image;
    requires dev.vireo.registry;
    requires dev.vireo.http;
    requires dev.vireo.runtime;
    requires dev.vireo.containers;
    requires dev.vireo.build;
    requires jdk.unsupported;
}
