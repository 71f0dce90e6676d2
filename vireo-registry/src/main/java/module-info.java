/** The OCI distribution API: a registry server on vireo-http with crash-safe storage, and a client. */
module dev.vireo.registry {
    requires transitive dev.vireo.oci;
    requires dev.vireo.http;
    requires java.net.http;
    requires dev.vireo.json;
    exports dev.vireo.registry;
}
