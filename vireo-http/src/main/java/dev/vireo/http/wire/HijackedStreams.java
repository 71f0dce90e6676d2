package dev.vireo.http.wire;

import dev.vireo.http.Hijacked;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** A connection after its head: the buffered input (bytes already read stay readable) and the raw transport. */
public record HijackedStreams(InputStream input, Transport transport) implements Hijacked {
    @Override
    public OutputStream output() {
        return transport.output();
    }

    @Override
    public void closeWrite() throws IOException {
        transport.closeWrite();
    }
}
