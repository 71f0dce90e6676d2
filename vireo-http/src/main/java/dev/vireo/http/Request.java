package dev.vireo.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One request as the server received it: the head parsed, the body as a stream that ends
 * where the message's framing says (Content-Length or chunked), never beyond it.
 */
public final class Request {
    private final String method;
    private final String target;
    private final String version;
    private final Headers headers;
    private final InputStream body;
    private final boolean secure;
    private Map<String, String> pathParameters = Map.of();
    private Map<String, List<String>> query;

    public Request(String method, String target, String version, Headers headers, InputStream body, boolean secure) {
        this.method = method;
        this.target = target;
        this.version = version;
        this.headers = headers;
        this.body = body;
        this.secure = secure;
    }

    public String method() {
        return method;
    }

    /** The request target as sent: path and query, still percent-encoded. */
    public String target() {
        return target;
    }

    /** The path part of the target, still percent-encoded. */
    public String path() {
        int q = target.indexOf('?');
        return q < 0 ? target : target.substring(0, q);
    }

    /** The raw query string, or "" when there is none. */
    public String rawQuery() {
        int q = target.indexOf('?');
        return q < 0 ? "" : target.substring(q + 1);
    }

    public String version() {
        return version;
    }

    public Headers headers() {
        return headers;
    }

    public String header(String name) {
        return headers.get(name);
    }

    /** The body; reading it returns -1 at the end of this request's body. */
    public InputStream body() {
        return body;
    }

    /** Reads the whole body, refusing more than {@code limit} bytes. */
    public byte[] readBody(int limit) throws IOException {
        byte[] data = body.readNBytes(limit);
        if (data.length == limit && body.read() >= 0) throw new BodyTooLargeException(limit);
        return data;
    }

    /** Whether the request came over TLS. */
    public boolean secure() {
        return secure;
    }

    /** A parameter captured by the router from the path, percent-decoded. */
    public String pathParameter(String name) {
        String value = pathParameters.get(name);
        if (value == null) throw new IllegalStateException("route has no parameter " + name);
        return value;
    }

    public Map<String, String> pathParameters() {
        return pathParameters;
    }

    void pathParameters(Map<String, String> values) {
        this.pathParameters = Map.copyOf(values);
    }

    /** Every query parameter, decoded, in order. */
    public Map<String, List<String>> query() {
        if (query == null) {
            Map<String, List<String>> parsed = new LinkedHashMap<>();
            String raw = rawQuery();
            if (!raw.isEmpty()) {
                for (String pair : raw.split("&")) {
                    if (pair.isEmpty()) continue;
                    int eq = pair.indexOf('=');
                    String name = decode(eq < 0 ? pair : pair.substring(0, eq));
                    String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
                    parsed.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
                }
            }
            query = parsed;
        }
        return query;
    }

    public Optional<String> queryParameter(String name) {
        List<String> values = query().get(name);
        return values == null ? Optional.empty() : Optional.of(values.getFirst());
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return text;
        }
    }

    @Override
    public String toString() {
        return method + " " + target;
    }

    /** A body longer than the handler accepts. */
    public static final class BodyTooLargeException extends IOException {
        private static final long serialVersionUID = 1L;
        private final long limit;

        public BodyTooLargeException(long limit) {
            super("request body exceeds " + limit + " bytes");
            this.limit = limit;
        }

        public long limit() {
            return limit;
        }
    }
}
