/** OCI images: a content-addressed store, layer snapshots, overlay root filesystems, import and export. */
module dev.vireo.image {
    requires transitive dev.vireo.oci;
    requires dev.vireo.sys;
    requires dev.vireo.json;
    requires aircompressor;

    exports dev.vireo.image;
    opens dev.vireo.image to dev.vireo.json;
    opens dev.vireo.image.store to dev.vireo.json;
    opens dev.vireo.image.archive to dev.vireo.json;
}
