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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

/**
 * An HTTP/1.1 server: one virtual thread per connection, plain blocking I/O. Listens on a
 * TCP address ({@link InetSocketAddress}, port 0 picks one), a Unix-domain socket
 * ({@link UnixDomainSocketAddress}), or TCP with TLS.
 */
public final class HttpServer implements AutoCloseable {
    private final Closeable listener;
    private final SocketAddress address;
    private final Path socketFile;
    private final Set<Closeable> connections = ConcurrentHashMap.newKeySet();
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile boolean closing;

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
                shutdown();
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
                shutdown();
            }
        });
    }

    private void serve(Transport transport, Handler handler) {
        connections.add(transport);
        Thread.ofVirtual().name("http-conn").start(() -> {
            try {
                new Http1Connection(transport, handler).serve();
            } finally {
                connections.remove(transport);
            }
        });
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

    private synchronized void shutdown() {
        if (closing) {
            return;
        }
        closing = true;
        try {
            listener.close();
        } catch (IOException e) {
            // closing anyway
        }
        for (Closeable connection : connections) {
            try {
                connection.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
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
