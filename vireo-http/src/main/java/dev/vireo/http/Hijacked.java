package dev.vireo.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A connection taken over after the response head was sent: raw bytes both ways, as the
 * Docker engine's attach and exec use it. Reading EOF and closing the write side are
 * separate, so a client that half-closes its stdin still receives output.
 */
public interface Hijacked {
    InputStream input();

    OutputStream output();

    /** Sends FIN to the peer while reading goes on. */
    void closeWrite() throws IOException;
}
