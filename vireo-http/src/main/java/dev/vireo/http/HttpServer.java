package dev.vireo.http;

import dev.vireo.http.wire.ChannelTransport;
import dev.vireo.http.wire.Http1Connection;
import dev.vireo.http.wire.SocketTransport;
import dev.vireo.http.wire.Transport;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP/1.1 server: one virtual thread per connection, plain blocking I/O. Listens on a
 * TCP address ({@link InetSocketAddress}, port 0 picks one), a Unix-domain socket
 * ({@link UnixDomainSocketAddress}), or TCP with TLS.
 */
public final class HttpServer implements AutoCloseable {
    private final Closeable listener;
    private final SocketAddress address;
    private final Path socketFile;
    /** How long a connection may wait for a request head before the server closes it, unless told otherwise. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(2);
    private final Map<Transport, Http1Connection> connections = new ConcurrentHashMap<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile boolean closing, draining;

    private HttpServer(Closeable listener, SocketAddress address, Path socketFile) {
        this.listener = listener;
        this.address = address;
        this.socketFile = socketFile;
    }

    /** Starts serving plain HTTP on a TCP or Unix-domain address. */
    public static HttpServer start(SocketAddress address, Handler handler) throws IOException {
        return start(address, handler, null);
    }

    /** Starts serving; with {@code tls} non-null, HTTPS on a TCP address. */
    public static HttpServer start(SocketAddress address, Handler handler, SSLContext tls) throws IOException {
        return start(address, handler, tls, DEFAULT_IDLE_TIMEOUT);
    }

    /** Starts serving, closing connections that wait longer than {@code idleTimeout} for a request head. */
    public static HttpServer start(SocketAddress address, Handler handler, SSLContext tls, Duration idleTimeout) throws IOException {
        HttpServer server = bind(address, handler, tls);
        server.reapIdle(idleTimeout);
        return server;
    }

    private static HttpServer bind(SocketAddress address, Handler handler, SSLContext tls) throws IOException {
        if (tls != null) {
            if (!(address instanceof InetSocketAddress)) throw new IllegalArgumentException("TLS is served on TCP addresses only");
            SSLServerSocket socket = (SSLServerSocket) tls.getServerSocketFactory().createServerSocket();
            socket.setReuseAddress(true);
            socket.bind(address, 256);
            HttpServer server = new HttpServer(socket, socket.getLocalSocketAddress(), null);
            server.acceptSockets(socket, handler);
            return server;
        }
        ServerSocketChannel channel;
        Path socketFile = null;
        if (address instanceof UnixDomainSocketAddress unix) {
            socketFile = unix.getPath();
            removeStaleSocket(unix);
            channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        } else {
            channel = ServerSocketChannel.open();
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        }
        channel.bind(address, 256);
        HttpServer server = new HttpServer(channel, channel.getLocalAddress(), socketFile);
        server.acceptChannels(channel, handler, socketFile == null);
        return server;
    }

    /** A socket file left by a server that died is removed; one with a live server behind it is refused. */
    private static void removeStaleSocket(UnixDomainSocketAddress address) throws IOException {
        if (!Files.exists(address.getPath())) return;
        try (SocketChannel probe = SocketChannel.open(address)) {
            throw new IOException("address in use: a server already listens on " + address.getPath());
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("address in use")) throw e;
            Files.deleteIfExists(address.getPath());
        }
    }

    private void acceptChannels(ServerSocketChannel channel, Handler handler, boolean tcp) {
        Thread.ofVirtual().name("http-accept-" + address).start(() -> {
            try {
                while (!closing) {
                    SocketChannel client = channel.accept();
                    if (tcp) client.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    serve(new ChannelTransport(client), handler);
                }
            } catch (IOException e) {
                // the listener was closed
            } finally {
                if (!draining) shutdown();
            }
        });
    }

    private void acceptSockets(ServerSocket socket, Handler handler) {
        Thread.ofVirtual().name("https-accept-" + address).start(() -> {
            try {
                while (!closing) {
                    var client = socket.accept();
                    client.setTcpNoDelay(true);
                    serve(new SocketTransport(client), handler);
                }
            } catch (IOException e) {
                // the listener was closed
            } finally {
                if (!draining) shutdown();
            }
        });
    }

    private void serve(Transport transport, Handler handler) {
        Http1Connection connection = new Http1Connection(transport, handler);
        connections.put(transport, connection);
        Thread.ofVirtual().name("http-conn").start(() -> {
            try {
                connection.serve();
            } finally {
                connections.remove(transport);
                synchronized (this) {
                    notifyAll();
                }
            }
        });
    }

    /**
     * Blocking channel reads have no timeout of their own, so one virtual thread looks over the
     * connections a few times per timeout and closes those idle too long (which ends their read).
     */
    private void reapIdle(Duration idleTimeout) {
        long timeout = idleTimeout.toNanos();
        long period = Math.max(10, idleTimeout.toMillis() / 4);
        Thread.ofVirtual().name("http-reaper").start(() -> {
            while (!closing) {
                try {
                    if (closed.await(period, TimeUnit.MILLISECONDS)) return;
                } catch (InterruptedException e) {
                    return;
                }
                long now = System.nanoTime();
                connections.forEach((transport, connection) -> {
                    if (connection.idleLongerThan(timeout, now)) closeQuietly(transport);
                });
            }
        });
    }

    private static void closeQuietly(Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    /** The bound address (with the real port when port 0 was asked for). */
    public SocketAddress address() {
        return address;
    }

    /** The TCP port, for TCP servers. */
    public int port() {
        return ((InetSocketAddress) address).getPort();
    }

    /** Blocks until the server is closed. */
    public void await() throws InterruptedException {
        closed.await();
    }

    /** Stops accepting, closes every open connection and removes the socket file. */
    @Override
    public void close() {
        shutdown();
    }

    /**
     * Stops accepting, then gives the open connections up to {@code grace} to finish (a response
     * being written to a client that asked to close), and closes what is left as {@link #close()} does.
     */
    public void close(Duration grace) {
        synchronized (this) {
            draining = true;
            closeQuietly(listener);
            long deadline = System.nanoTime() + grace.toNanos();
            try {
                for (long left = grace.toNanos(); !connections.isEmpty() && left > 0; left = deadline - System.nanoTime()) {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        shutdown();
    }

    private synchronized void shutdown() {
        if (closing) {
            return;
        }
        closing = true;
        closeQuietly(listener);
        connections.keySet().forEach(HttpServer::closeQuietly);
        if (socketFile != null) {
            try {
                Files.deleteIfExists(socketFile);
            } catch (IOException e) {
                // a socket file nobody listens on is removed by the next server
            }
        }
        closed.countDown();
    }
}
