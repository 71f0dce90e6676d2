package dev.vireo.registry;

import dev.vireo.oci.Digest;

/** What a push or pull reports per blob as it goes; implementations must be thread-safe (blobs move in parallel). */
@FunctionalInterface
public interface TransferProgress {
    TransferProgress NONE = (digest, state, done, total) -> {};

    /** States a blob goes through. */
    enum State { WAITING, EXISTS, MOUNTED, UPLOADING, DOWNLOADING, RETRYING, VERIFYING, DONE }

    void update(Digest digest, State state, long done, long total);
}
