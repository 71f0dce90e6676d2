/** The values the OCI image and distribution specs share: digests, media types, image references. */
module dev.vireo.oci {
    requires dev.vireo.json;

    exports dev.vireo.oci;
    opens dev.vireo.oci to dev.vireo.json;
}
