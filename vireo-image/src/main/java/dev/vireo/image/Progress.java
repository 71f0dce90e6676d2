package dev.vireo.image;

/**
 * Where long operations (ingesting blobs, unpacking layers, loading and saving archives) report
 * how far they are. {@code total} is -1 when unknown; {@code done == total} marks the end.
 */
@FunctionalInterface
public interface Progress {
    Progress NONE = (item, action, done, total) -> {};

    void update(String item, String action, long done, long total);
}
