/** The vireo command. */
module dev.vireo.cli {
    requires dev.vireo.sys;
    requires dev.vireo.runtime;
    requires jdk.unsupported;
}
