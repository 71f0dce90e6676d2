/** OCI images: a content-addressed store, layer snapshots, overlay root filesystems, import and export. */
module dev.vireo.image {
    requires transitive dev.vireo.oci;
    requires dev.vireo.sys;
    requires com.fasterxml.jackson.databind;
    requires aircompressor;

    exports dev.vireo.image;
    opens dev.vireo.image to com.fasterxml.jackson.databind;
    opens dev.vireo.image.store to com.fasterxml.jackson.databind;
    opens dev.vireo.image.archive to com.fasterxml.jackson.databind;
}
