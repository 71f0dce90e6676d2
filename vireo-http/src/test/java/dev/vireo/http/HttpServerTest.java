package dev.vireo.http;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import javax.net.ssl.SSLSocket;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class HttpServerTest {
    private static final long BIG = 64L * 1024 * 1024;

    /** Digests the request body as it streams in; answers with the hex digest and the byte count. */
    private static final Handler DIGEST = request -> {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[64 * 1024];
            long total = 0;
            InputStream in = request.body();
            for (int n; (n = in.read(buffer)) > 0; total += n) sha.update(buffer, 0, n);
            return Response.text(200, total + " " + HexFormat.of().formatHex(sha.digest()));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    };

    /** Produces {@code n} bytes of a repeating pattern without holding them. */
    private static Body.Writer pattern(long n) {
        return out -> {
            byte[] block = new byte[64 * 1024];
            for (int i = 0; i < block.length; i++) block[i] = (byte) i;
            for (long left = n; left > 0; left -= block.length) out.write(block, 0, (int) Math.min(left, block.length));
        };
    }

    private static String patternDigest(long n) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        pattern(n).writeTo(new java.io.OutputStream() {
            @Override
            public void write(int b) {
                sha.update((byte) b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                sha.update(b, off, len);
            }
        });
        return HexFormat.of().formatHex(sha.digest());
    }

    @Test
    void streamsLargeChunkedBodiesBothWaysOverAUnixSocket(@TempDir Path dir) throws Exception {
        Router router = new Router()
                .route("PUT", "/digest", DIGEST)
                .get("/stream", r -> new Response(200, new Headers(), new Body.Streamed(-1, pattern(BIG))));
        Path socket = dir.resolve("api.sock");
        try (HttpServer server = HttpServer.start(UnixDomainSocketAddress.of(socket), router)) {
            SocketHttpClient client = SocketHttpClient.unix(socket);
            String answer = client.send("PUT", "/digest", new Headers(), new Body.Streamed(-1, pattern(BIG))).bodyText().strip();
            assertEquals(BIG + " " + patternDigest(BIG), answer);
            try (ClientResponse response = client.send("GET", "/stream", new Headers())) {
                assertEquals("chunked", response.header("Transfer-Encoding"));
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                byte[] buffer = new byte[64 * 1024];
                long total = 0;
                for (int n; (n = response.body().read(buffer)) > 0; total += n) sha.update(buffer, 0, n);
                assertEquals(BIG, total);
                assertEquals(patternDigest(BIG), HexFormat.of().formatHex(sha.digest()));
            }
        }
        assertFalse(Files.exists(socket), "closing the server removes its socket file");
    }

    @Test
    void closesConnectionsThatSendNoRequestHead() throws Exception {
        try (HttpServer server = HttpServer.start(new InetSocketAddress("127.0.0.1", 0), DIGEST, null, Duration.ofMillis(200));
             java.net.Socket silent = new java.net.Socket("127.0.0.1", server.port());
             java.net.Socket slow = new java.net.Socket("127.0.0.1", server.port())) {
            slow.getOutputStream().write("PUT / HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals(-1, silent.getInputStream().read(), "an idle connection is closed");
            assertEquals(-1, slow.getInputStream().read(), "a head that never ends is closed");
            SocketHttpClient client = SocketHttpClient.tcp("127.0.0.1", server.port());
            assertEquals(200, client.send("PUT", "/", new Headers(), new byte[10]).status(), "active clients are served");
        }
    }

    @Test
    void refusesToStartOnASocketAnotherServerListensOn(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("api.sock");
        try (HttpServer first = HttpServer.start(UnixDomainSocketAddress.of(socket), DIGEST)) {
            IOException e = assertThrows(IOException.class, () -> HttpServer.start(UnixDomainSocketAddress.of(socket), DIGEST));
            assertTrue(e.getMessage().startsWith("address in use"), e.getMessage());
        }
        Files.createFile(socket);
        try (HttpServer stale = HttpServer.start(UnixDomainSocketAddress.of(socket), DIGEST)) {
            assertEquals(200, SocketHttpClient.unix(socket).send("PUT", "/", new Headers(), new byte[0]).status());
        }
    }

    @Test
    void sendsFileRegionsOverTcpToTheJdkClient(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("blob");
        byte[] data = new byte[3 * 1024 * 1024 + 17];
        new java.util.Random(1).nextBytes(data);
        Files.write(file, data);
        Router router = new Router().get("/blob", r -> new Response(200, new Headers(), new Body.FileRegion(file, 0, data.length)))
                .get("/part", r -> new Response(206, new Headers(), new Body.FileRegion(file, 10, 100)));
        try (HttpServer server = HttpServer.start(new InetSocketAddress("127.0.0.1", 0), router)) {
            SocketHttpClient client = SocketHttpClient.tcp("127.0.0.1", server.port());
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(data, client.send("GET", "/blob", new Headers()).bodyBytes());
            }
            try (ClientResponse part = client.send("GET", "/part", new Headers())) {
                assertEquals(206, part.status());
                assertArrayEquals(java.util.Arrays.copyOfRange(data, 10, 110), part.body().readAllBytes());
            }
        }
    }

    @Test
    void servesHttpsWithAPemCertificateAndKey(@TempDir Path dir) throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        assumeTrue(openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", key.toString(), "-out", cert.toString()),
                "openssl is needed to make a test certificate");
        SSLContext serverContext = Tls.server(cert, key);
        try (HttpServer server = HttpServer.start(new InetSocketAddress("127.0.0.1", 0), DIGEST, serverContext);
             SSLSocket socket = (SSLSocket) Tls.trusting(cert).getSocketFactory().createSocket("127.0.0.1", server.port())) {
            socket.getOutputStream().write("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc"
                    .getBytes(StandardCharsets.US_ASCII));
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(response.startsWith("HTTP/1.1 200 OK\r\n"), response);
            assertTrue(response.endsWith("\r\n\r\n3 ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n"), response);
        }
        Path rsaKey = dir.resolve("rsa.pem");
        assumeTrue(openssl(dir, "rsa", "-in", key.toString(), "-traditional", "-out", rsaKey.toString()), "openssl rsa -traditional");
        assertTrue(Files.readString(rsaKey).contains("BEGIN RSA PRIVATE KEY"));
        Tls.server(cert, rsaKey);
    }

    @Test
    void hijackedConnectionsCarryBothDirectionsAfterAHalfClose(@TempDir Path dir) throws Exception {
        Handler attach = request -> new Response(101, Headers.of("Content-Type", "application/vnd.docker.raw-stream",
                "Connection", "Upgrade", "Upgrade", "tcp"), new Body.Upgrade(raw -> {
            byte[] in = raw.input().readAllBytes();
            raw.output().write(new String(in, StandardCharsets.UTF_8).toUpperCase().getBytes(StandardCharsets.UTF_8));
            raw.closeWrite();
        }));
        Path socket = dir.resolve("engine.sock");
        try (HttpServer server = HttpServer.start(UnixDomainSocketAddress.of(socket), attach);
             ClientResponse response = SocketHttpClient.unix(socket).upgrade("POST", "/attach", new Headers(), Body.empty())) {
            assertEquals(101, response.status());
            Hijacked raw = response.upgraded();
            raw.output().write("hello".getBytes(StandardCharsets.UTF_8));
            raw.closeWrite();
            assertEquals("HELLO", new String(raw.input().readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    private static boolean openssl(Path dir, String... args) throws Exception {
        if (!Files.isExecutable(Path.of("/usr/bin/openssl"))) {
            System.err.println("skipping: /usr/bin/openssl is missing");
            return false;
        }
        String[] command = new String[args.length + 1];
        command[0] = "openssl";
        System.arraycopy(args, 0, command, 1, args.length);
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        process.getInputStream().readAllBytes();
        return process.waitFor() == 0;
    }

    @Test
    void closingWithGraceLetsAResponseInFlightFinishAndStopsAccepting(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("grace.sock");
        CountDownLatch entered = new CountDownLatch(1), release = new CountDownLatch(1);
        HttpServer server = HttpServer.start(UnixDomainSocketAddress.of(socket), request -> {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Response.text(200, "done");
        });
        CompletableFuture<String> reply = CompletableFuture.supplyAsync(() -> {
            try (ClientResponse r = SocketHttpClient.unix(socket).send("GET", "/", new Headers())) {
                return r.status() + " " + r.bodyText().strip();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        entered.await();
        Thread closer = Thread.ofVirtual().start(() -> server.close(Duration.ofMinutes(1)));
        while (accepts(socket)) Thread.onSpinWait(); // closing has begun: the listener is gone
        release.countDown();
        assertEquals("200 done", reply.get());
        closer.join();
        assertFalse(Files.exists(socket), "the socket file is gone");
    }

    private static boolean accepts(Path socket) throws IOException {
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(socket));
            return true;
        } catch (ConnectException e) {
            return false;
        }
    }
}
