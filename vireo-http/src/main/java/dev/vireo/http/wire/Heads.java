package dev.vireo.http.wire;

import dev.vireo.http.Headers;

import java.io.IOException;
import java.io.InputStream;

/**
 * Parses message heads (RFC 9112 §2–§6) and picks the body framing. Strict where leniency
 * lets two parsers disagree about where a message ends: whitespace before a colon, obsolete
 * line folding, Content-Length together with Transfer-Encoding, differing Content-Lengths
 * and codings other than a final "chunked" are all refused.
 */
public final class Heads {
    public static final int MAX_REQUEST_LINE = 8192;
    public static final int MAX_HEADER_BYTES = 64 * 1024;
    public static final int MAX_HEADER_FIELDS = 100;

    private Heads() {}

    public record RequestHead(String method, String target, String version, Headers headers) {
        public boolean http11() {
            return version.equals("HTTP/1.1");
        }
    }

    public record ResponseHead(String version, int status, String reason, Headers headers) {}

    /** The next request head, or null when the peer closed the connection between requests. */
    public static RequestHead readRequest(HttpInput in) throws IOException {
        // A TLS ClientHello (record type 22) on a plain port: answer at once rather than wait for a line end.
        if (in.peek() == 0x16) throw new ProtocolException(400, "this port speaks plain HTTP, not TLS");
        String line;
        try {
            line = in.readLine(MAX_REQUEST_LINE);
            // RFC 9112 §2.2: ignore at least one empty line before the request line.
            if (line != null && line.isEmpty()) line = in.readLine(MAX_REQUEST_LINE);
        } catch (HttpInput.LineTooLongException e) {
            throw new ProtocolException(414, "request line longer than " + MAX_REQUEST_LINE + " bytes");
        }
        if (line == null) return null;
        int sp1 = line.indexOf(' ');
        int sp2 = sp1 < 0 ? -1 : line.indexOf(' ', sp1 + 1);
        if (sp1 <= 0 || sp2 < 0 || line.indexOf(' ', sp2 + 1) >= 0) {
            throw new ProtocolException(400, "malformed request line '" + ChunkedInputStream.printable(line) + "'");
        }
        String method = line.substring(0, sp1);
        String target = line.substring(sp1 + 1, sp2);
        String version = line.substring(sp2 + 1);
        if (!isToken(method)) throw new ProtocolException(400, "malformed method");
        if (target.isEmpty() || !(target.startsWith("/") || target.equals("*")) || !visible(target)) {
            throw new ProtocolException(400, "unsupported request target '" + ChunkedInputStream.printable(target) + "'");
        }
        if (!version.equals("HTTP/1.1") && !version.equals("HTTP/1.0")) {
            throw new ProtocolException(version.startsWith("HTTP/") ? 505 : 400, "unsupported protocol version");
        }
        Headers headers = readFields(in);
        if (version.equals("HTTP/1.1") && headers.all("Host").size() != 1) {
            throw new ProtocolException(400, "an HTTP/1.1 request needs exactly one Host field");
        }
        return new RequestHead(method, target, version, headers);
    }

    /** The next response head, or null if the server closed the connection before any byte. */
    public static ResponseHead readResponse(HttpInput in) throws IOException {
        String line;
        try {
            line = in.readLine(MAX_REQUEST_LINE);
        } catch (HttpInput.LineTooLongException e) {
            throw new ProtocolException(502, "status line too long");
        }
        if (line == null) return null;
        if (!line.startsWith("HTTP/1.") || line.length() < 12 || line.charAt(8) != ' ') {
            throw new ProtocolException(502, "malformed status line '" + ChunkedInputStream.printable(line) + "'");
        }
        int status;
        try {
            status = Integer.parseInt(line.substring(9, 12));
        } catch (NumberFormatException e) {
            throw new ProtocolException(502, "malformed status code");
        }
        String reason = line.length() > 13 ? line.substring(13) : "";
        return new ResponseHead(line.substring(0, 8), status, reason, readFields(in));
    }

    private static Headers readFields(HttpInput in) throws IOException {
        Headers headers = new Headers();
        int total = 0;
        while (true) {
            String line;
            try {
                line = in.readLine(MAX_HEADER_BYTES);
            } catch (HttpInput.LineTooLongException e) {
                throw new ProtocolException(431, "header section larger than " + MAX_HEADER_BYTES + " bytes");
            }
            if (line == null) throw new ProtocolException(400, "connection closed inside the header section");
            if (line.isEmpty()) return headers;
            total += line.length() + 2;
            if (total > MAX_HEADER_BYTES) throw new ProtocolException(431, "header section larger than " + MAX_HEADER_BYTES + " bytes");
            if (headers.size() >= MAX_HEADER_FIELDS) throw new ProtocolException(431, "more than " + MAX_HEADER_FIELDS + " header fields");
            char first = line.charAt(0);
            if (first == ' ' || first == '\t') throw new ProtocolException(400, "obsolete line folding in header section");
            int colon = line.indexOf(':');
            if (colon <= 0) throw new ProtocolException(400, "header field without a name");
            String name = line.substring(0, colon);
            if (!isToken(name)) throw new ProtocolException(400, "malformed header field name '" + ChunkedInputStream.printable(name) + "'");
            String value = line.substring(colon + 1).strip();
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c == '\r' || c == '\n' || c == 0) throw new ProtocolException(400, "control character in header field " + name);
            }
            headers.add(name, value);
        }
    }

    /** How a message body is delimited. */
    public sealed interface Framing {
        record None() implements Framing {}

        record Length(long length) implements Framing {}

        record Chunked() implements Framing {}

        /** A response body that runs until the server closes (HTTP/1.0 style). */
        record UntilClose() implements Framing {}
    }

    /** The framing of a request body (RFC 9112 §6.3), refusing ambiguous combinations. */
    public static Framing requestFraming(Headers headers) throws ProtocolException {
        Framing framing = declaredFraming(headers);
        return framing instanceof Framing.UntilClose ? new Framing.None() : framing;
    }

    /** The framing of a response body to a request with {@code method}. */
    public static Framing responseFraming(String method, int status, Headers headers) throws ProtocolException {
        if (method.equals("HEAD") || status / 100 == 1 || status == 204 || status == 304) return new Framing.None();
        return declaredFraming(headers);
    }

    private static Framing declaredFraming(Headers headers) throws ProtocolException {
        boolean hasTransferEncoding = headers.contains("Transfer-Encoding");
        var lengths = headers.elements("Content-Length");
        if (hasTransferEncoding && !lengths.isEmpty()) {
            throw new ProtocolException(400, "both Transfer-Encoding and Content-Length");
        }
        if (hasTransferEncoding) {
            var codings = headers.elements("Transfer-Encoding");
            if (codings.size() != 1 || !codings.getFirst().equalsIgnoreCase("chunked")) {
                throw new ProtocolException(codings.contains("chunked") ? 400 : 501,
                        "unsupported Transfer-Encoding '" + ChunkedInputStream.printable(String.join(", ", codings)) + "'");
            }
            return new Framing.Chunked();
        }
        if (lengths.isEmpty()) return new Framing.UntilClose();
        String first = lengths.getFirst();
        for (String other : lengths) {
            if (!other.equals(first)) throw new ProtocolException(400, "conflicting Content-Length values");
        }
        if (first.isEmpty() || first.length() > 18 || !first.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new ProtocolException(400, "malformed Content-Length '" + ChunkedInputStream.printable(first) + "'");
        }
        long length = Long.parseLong(first);
        return length == 0 ? new Framing.None() : new Framing.Length(length);
    }

    /** The body stream for a framing. */
    public static InputStream body(Framing framing, HttpInput in) {
        return switch (framing) {
            case Framing.None _ -> InputStream.nullInputStream();
            case Framing.Length(long length) -> new FixedLengthInputStream(in, length);
            case Framing.Chunked _ -> new ChunkedInputStream(in);
            case Framing.UntilClose _ -> in;
        };
    }

    static boolean isToken(String text) {
        if (text.isEmpty()) return false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean ok = c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) return false;
        }
        return true;
    }

    private static boolean visible(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c <= 0x20 || c >= 0x7f) return false;
        }
        return true;
    }
}
