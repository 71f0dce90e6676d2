/** Containers from images, daemonless as podman runs them: image config to runtime config, and the container lifecycle. */
module dev.vireo.containers {
    requires transitive dev.vireo.image;
    requires transitive dev.vireo.runtime;
    requires dev.vireo.json;
    requires com.fasterxml.jackson.core;
    requires jdk.unsupported;

    exports dev.vireo.containers;
}
