package dev.vireo.http;

/**
 * What a handler answers: a status, header fields and a body. The server adds the framing
 * fields (Content-Length, Transfer-Encoding, Connection, Date) itself.
 */
public record Response(int status, Headers headers, Body body) {
    public static Response of(int status) {
        return new Response(status, new Headers(), Body.empty());
    }

    public static Response of(int status, String contentType, byte[] body) {
        return new Response(status, Headers.of("Content-Type", contentType), Body.of(body));
    }

    public static Response text(int status, String text) {
        return new Response(status, Headers.of("Content-Type", "text/plain; charset=utf-8"), Body.of(text + "\n"));
    }

    public Response header(String name, String value) {
        headers.add(name, value);
        return this;
    }

    public Response withBody(Body newBody) {
        return new Response(status, headers, newBody);
    }
}
