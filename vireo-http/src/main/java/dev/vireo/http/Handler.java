package dev.vireo.http;

import java.io.IOException;

/** Answers one request. Runs on the connection's virtual thread; may block. */
@FunctionalInterface
public interface Handler {
    Response handle(Request request) throws IOException;
}
