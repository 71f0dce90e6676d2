/** The values the OCI image and distribution specs share: digests, media types, image references. */
module dev.vireo.oci {
    requires com.fasterxml.jackson.annotation;

    exports dev.vireo.oci;
}
