package dev.vireo.image;

import dev.vireo.oci.Digest;

import java.util.List;

/** What garbage collection removed: dangling images, blobs, layer snapshots, and the bytes freed. */
public record PruneReport(List<Digest> images, List<Digest> blobs, List<Digest> snapshots, int temporaries, long bytes) {}
