package dev.vireo.http.wire;

import java.io.IOException;

/** A message that breaks HTTP/1.1's syntax or this server's limits; {@code status} is the answer it gets. */
public final class ProtocolException extends IOException {
    private static final long serialVersionUID = 1L;
    private final int status;

    public ProtocolException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
