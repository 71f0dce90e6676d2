package dev.vireo.vmm.migration.stream;

import java.io.IOException;

/** The stream is not what this Vireo writes: wrong magic, a failed checksum, a cut-off chunk, an unknown type. */
public final class StreamException extends IOException {
    private static final long serialVersionUID = 1L;

    public StreamException(String message) {
        super(message);
    }
}
