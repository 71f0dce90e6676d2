package dev.vireo.registry;

import dev.vireo.http.HttpServer;
import dev.vireo.http.Tls;
import dev.vireo.registry.api.DistributionApi;
import dev.vireo.registry.auth.Htpasswd;
import dev.vireo.registry.storage.Storage;
import dev.vireo.registry.storage.Uploads;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;

/** A running registry: the distribution API over HTTP or HTTPS, on a storage root. */
public final class RegistryServer implements AutoCloseable {
    /** Manifests larger than this are refused, as the reference registry does (4 MiB). */
    public static final int DEFAULT_MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

    private final HttpServer http;
    private final boolean tls;

    /**
     * What to serve: {@code htpasswd} null means no authentication; {@code tlsCertificate} and
     * {@code tlsKey} (PEM) both null means plain HTTP.
     */
    public record Config(Path root, SocketAddress listen, Path htpasswd, Path tlsCertificate, Path tlsKey, int maxManifestBytes) {
        public Config {
            if ((tlsCertificate == null) != (tlsKey == null)) throw new IllegalArgumentException("TLS needs both a certificate and a key");
            if (maxManifestBytes <= 0) throw new IllegalArgumentException("the manifest size limit must be positive");
        }

        public static Config of(Path root, SocketAddress listen) {
            return new Config(root, listen, null, null, null, DEFAULT_MAX_MANIFEST_BYTES);
        }

        public Config withHtpasswd(Path file) {
            return new Config(root, listen, file, tlsCertificate, tlsKey, maxManifestBytes);
        }

        public Config withTls(Path certificate, Path key) {
            return new Config(root, listen, htpasswd, certificate, key, maxManifestBytes);
        }

        public Config withMaxManifestBytes(int bytes) {
            return new Config(root, listen, htpasswd, tlsCertificate, tlsKey, bytes);
        }
    }

    private RegistryServer(HttpServer http, boolean tls) {
        this.http = http;
        this.tls = tls;
    }

    public static RegistryServer start(Config config) throws IOException {
        Storage storage = new Storage(config.root());
        Uploads uploads = new Uploads(storage);
        Htpasswd users = config.htpasswd() == null ? null : Htpasswd.load(config.htpasswd());
        SSLContext context = config.tlsCertificate() == null ? null : Tls.server(config.tlsCertificate(), config.tlsKey());
        DistributionApi api = new DistributionApi(storage, uploads, users, config.maxManifestBytes());
        return new RegistryServer(HttpServer.start(config.listen(), api, context), context != null);
    }

    public SocketAddress address() {
        return http.address();
    }

    public int port() {
        return ((InetSocketAddress) http.address()).getPort();
    }

    /** The base URL clients use, e.g. {@code http://127.0.0.1:5000}. */
    public String url() {
        InetSocketAddress address = (InetSocketAddress) http.address();
        String host = address.getAddress().isAnyLocalAddress() ? "127.0.0.1" : address.getAddress().getHostAddress();
        return (tls ? "https" : "http") + "://" + host + ":" + address.getPort();
    }

    public void await() throws InterruptedException {
        http.await();
    }

    @Override
    public void close() {
        http.close();
    }
}
