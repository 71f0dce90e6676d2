package dev.vireo.http;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Http1WireTest {
    /** Echoes method, target and body, so a test sees exactly what the server parsed. */
    private static final Handler ECHO = request -> {
        byte[] body = request.body().readAllBytes();
        return Response.of(200, "text/plain", (request.method() + " " + request.target() + " [" + new String(body, StandardCharsets.ISO_8859_1) + "]").getBytes(StandardCharsets.ISO_8859_1));
    };

    private static List<String> statusLines(String out) {
        List<String> lines = new ArrayList<>();
        Matcher m = Pattern.compile("HTTP/1\\.1 \\d{3}[^\r]*").matcher(out);
        while (m.find()) lines.add(m.group());
        return lines;
    }

    @Test
    void servesSeveralRequestsOnOneKeptAliveConnection() {
        String out = MemoryTransport.exchange(ECHO,
                "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
                + "POST /b?q=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
                + "GET /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertEquals(List.of("HTTP/1.1 200 OK", "HTTP/1.1 200 OK", "HTTP/1.1 200 OK"), statusLines(out));
        assertTrue(out.contains("GET /a []"));
        assertTrue(out.contains("POST /b?q=1 [hello]"));
        assertTrue(out.contains("GET /c []"));
        assertTrue(out.contains("Content-Length: 9\r\n"));
        assertTrue(out.endsWith("GET /c []"));
    }

    @Test
    void decodesChunkedRequestBodiesWithExtensionsAndTrailers() {
        String out = MemoryTransport.exchange(ECHO,
                "PUT /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5;name=value\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nTrailer: t\r\n\r\n"
                + "GET /next HTTP/1.1\r\nHost: x\r\n\r\n");
        assertTrue(out.contains("PUT /x [hello world]"), out);
        assertTrue(out.contains("GET /next []"), out);
    }

    @Test
    void framesBodiesOfUnknownLengthAsChunks() {
        Handler streaming = request -> new Response(200, new Headers(), new Body.Streamed(-1, o -> {
            o.write("abc".getBytes(StandardCharsets.US_ASCII));
            o.flush();
            o.write("defgh".getBytes(StandardCharsets.US_ASCII));
        }));
        String out = MemoryTransport.exchange(streaming, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        assertTrue(out.contains("Transfer-Encoding: chunked\r\n"), out);
        assertTrue(out.endsWith("\r\n\r\n3\r\nabc\r\n5\r\ndefgh\r\n0\r\n\r\n"), out);
    }

    @Test
    void answersHeadWithTheLengthButNoBody() {
        Router router = new Router().get("/blob", request -> Response.of(200, "application/octet-stream", new byte[1234]));
        String out = MemoryTransport.exchange(router, "HEAD /blob HTTP/1.1\r\nHost: x\r\n\r\nGET /blob HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        int second = out.indexOf("HTTP/1.1 200", 1);
        String head = out.substring(0, second);
        assertTrue(head.contains("Content-Length: 1234\r\n"), head);
        assertTrue(head.endsWith("\r\n\r\n"), head);
        assertEquals(1234, out.length() - out.indexOf("\r\n\r\n", second) - 4);
    }

    @Test
    void refusesContentLengthTogetherWithTransferEncoding() {
        String out = MemoryTransport.exchange(ECHO,
                "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals(List.of("HTTP/1.1 400 Bad Request"), statusLines(out));
        assertFalse(out.contains("smuggled"));
        assertTrue(out.contains("Connection: close"));
    }

    @Test
    void refusesConflictingContentLengths() {
        String out = MemoryTransport.exchange(ECHO, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nabcde");
        assertEquals(List.of("HTTP/1.1 400 Bad Request"), statusLines(out));
    }

    @Test
    void refusesMalformedContentLength() {
        String out = MemoryTransport.exchange(ECHO, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +4\r\n\r\nabcd");
        assertEquals(List.of("HTTP/1.1 400 Bad Request"), statusLines(out));
    }

    @Test
    void refusesCodingsOtherThanChunked() {
        String out = MemoryTransport.exchange(ECHO, "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n");
        assertEquals(List.of("HTTP/1.1 400 Bad Request"), statusLines(out));
        out = MemoryTransport.exchange(ECHO, "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n");
        assertEquals(List.of("HTTP/1.1 501 Not Implemented"), statusLines(out));
    }

    @Test
    void refusesBadChunkSizes() {
        for (String size : List.of("zz", "-1", "", "1ffffffffffffffff", "5 5")) {
            String out = MemoryTransport.exchange(ECHO, "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + size + "\r\nhello\r\n0\r\n\r\n");
            assertEquals(List.of("HTTP/1.1 400 Bad Request"), statusLines(out), "chunk size '" + size + "'");
        }
    }

    @Test
    void refusesChunkDataWithoutItsCrlf() {
        String out = MemoryTransport.exchange(ECHO, "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhelloXX\r\n0\r\n\r\n");
        assertEquals(List.of("HTTP/1.1 400 Bad Request"), statusLines(out));
    }

    @Test
    void refusesOversizedHeaderSections() {
        String big = "X-Big: " + "a".repeat(70_000) + "\r\n";
        String out = MemoryTransport.exchange(ECHO, "GET / HTTP/1.1\r\nHost: x\r\n" + big + "\r\n");
        assertEquals(List.of("HTTP/1.1 431 Request Header Fields Too Large"), statusLines(out));
        StringBuilder many = new StringBuilder("GET / HTTP/1.1\r\nHost: x\r\n");
        for (int i = 0; i < 200; i++) many.append("X-").append(i).append(": v\r\n");
        out = MemoryTransport.exchange(ECHO, many + "\r\n");
        assertEquals(List.of("HTTP/1.1 431 Request Header Fields Too Large"), statusLines(out));
    }

    @Test
    void refusesOversizedRequestLines() {
        String out = MemoryTransport.exchange(ECHO, "GET /" + "a".repeat(9000) + " HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals(List.of("HTTP/1.1 414 URI Too Long"), statusLines(out));
    }

    @Test
    void refusesMalformedHeads() {
        for (String head : List.of(
                "GET / HTTP/1.1\r\n\r\n",                              // no Host
                "GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n",       // two Hosts
                "GET / HTTP/1.1\r\nHost: x\r\nX-A : b\r\n\r\n",       // space before colon
                "GET / HTTP/1.1\r\nHost: x\r\nX-A: b\r\n  folded\r\n\r\n", // obs-fold
                "GET  / HTTP/1.1\r\nHost: x\r\n\r\n",                 // double space
                "GET http://x/ HTTP/1.1\r\nHost: x\r\n\r\n",           // absolute form
                "G(T / HTTP/1.1\r\nHost: x\r\n\r\n",                  // bad method token
                "GET / HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n")) {
            String out = MemoryTransport.exchange(ECHO, head);
            assertEquals(List.of("HTTP/1.1 400 Bad Request"), statusLines(out), head);
        }
        assertEquals(List.of("HTTP/1.1 505 HTTP Version Not Supported"), statusLines(MemoryTransport.exchange(ECHO, "GET / HTTP/2.0\r\nHost: x\r\n\r\n")));
    }

    @Test
    void answersATlsHandshakeOnAPlainPortAtOnce() {
        String out = MemoryTransport.exchange(ECHO, "\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u01fc\u0003\u0003");
        assertEquals(List.of("HTTP/1.1 400 Bad Request"), statusLines(out));
        assertTrue(out.endsWith("this port speaks plain HTTP, not TLS\n"), out);
    }

    @Test
    void acceptsBareLineFeedsAndHttp10() {
        String out = MemoryTransport.exchange(ECHO, "POST /old HTTP/1.0\nContent-Length: 2\n\nhi");
        assertTrue(out.startsWith("HTTP/1.1 200 OK"), out);
        assertTrue(out.contains("Connection: close"));
        assertTrue(out.endsWith("POST /old [hi]"));
    }

    @Test
    void sendsContinueOnlyWhenTheHandlerReadsTheBody() {
        String out = MemoryTransport.exchange(ECHO, "PUT /x HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc");
        assertTrue(out.startsWith("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK"), out);
        Handler refuse = request -> Response.text(401, "no");
        out = MemoryTransport.exchange(refuse, "PUT /x HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc");
        assertEquals(List.of("HTTP/1.1 401 Unauthorized"), statusLines(out));
        assertTrue(out.contains("Connection: close"), "the unsent body cannot be skipped, so the connection ends");
    }

    @Test
    void drainsASmallUnreadBodyAndKeepsTheConnection() {
        Handler ignoring = request -> Response.text(201, "ok");
        String out = MemoryTransport.exchange(ignoring,
                "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
        assertEquals(List.of("HTTP/1.1 201 Created", "HTTP/1.1 201 Created"), statusLines(out));
    }

    @Test
    void closesAfterALargeUnreadBody() {
        Handler ignoring = request -> Response.text(401, "no");
        String body = "x".repeat(300 * 1024);
        MemoryTransport transport = new MemoryTransport("PUT /a HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length() + "\r\n\r\n" + body
                + "GET /b HTTP/1.1\r\nHost: x\r\n\r\n");
        new dev.vireo.http.wire.Http1Connection(transport, ignoring).serve();
        String out = transport.output().toString();
        assertEquals(List.of("HTTP/1.1 401 Unauthorized"), statusLines(out));
        assertTrue(out.contains("Connection: close"));
        assertTrue(transport.writeClosed, "lingering close half-closes before reading the rest");
    }

    @Test
    void answers500WhenTheHandlerFails() {
        Handler failing = request -> {
            throw new IllegalStateException("boom");
        };
        String out = MemoryTransport.exchange(failing, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertEquals(List.of("HTTP/1.1 500 Internal Server Error"), statusLines(out));
    }

    @Test
    void refusesToSendLessThanTheDeclaredLength() {
        Handler lying = request -> new Response(200, new Headers(), new Body.Streamed(10, o -> o.write(new byte[3])));
        String out = MemoryTransport.exchange(lying, "GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n");
        assertTrue(statusLines(out).size() <= 1, "the connection ends instead of desynchronising");
    }

    @Test
    void hijacksTheConnectionAfterTheHead() {
        Handler upgrade = request -> new Response(101, Headers.of("Connection", "Upgrade", "Upgrade", "tcp"), new Body.Upgrade(raw -> {
            byte[] in = raw.input().readAllBytes();
            raw.output().write(("echo:" + new String(in, StandardCharsets.ISO_8859_1)).getBytes(StandardCharsets.ISO_8859_1));
            raw.closeWrite();
        }));
        String out = MemoryTransport.exchange(upgrade, "POST /attach HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\nraw bytes");
        assertTrue(out.startsWith("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n"), out);
        assertTrue(out.endsWith("\r\n\r\necho:raw bytes"), out);
    }
}
