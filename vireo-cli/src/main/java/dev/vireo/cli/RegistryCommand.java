package dev.vireo.cli;

import dev.vireo.registry.GarbageCollector;
import dev.vireo.registry.RegistryServer;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;

/** {@code vireo registry serve|gc}: the OCI distribution registry and its garbage collector. */
final class RegistryCommand implements Command {
    static final String DEFAULT_ROOT = "/var/lib/vireo/registry";

    @Override
    public String summary() {
        return "run an OCI distribution registry (serve) or collect its garbage (gc)";
    }

    @Override
    public int run(List<String> args) throws Exception {
        if (args.isEmpty()) throw new UsageException("usage: vireo registry serve|gc [OPTIONS]");
        List<String> rest = args.subList(1, args.size());
        return switch (args.getFirst()) {
            case "serve" -> serve(rest);
            case "gc" -> gc(rest);
            default -> throw new UsageException("unknown registry command '" + args.getFirst() + "' (serve, gc)");
        };
    }

    private static int serve(List<String> argv) throws Exception {
        Args args = Args.spec("registry serve").option("--listen").option("--root").option("--htpasswd")
                .option("--tls-cert").option("--tls-key").option("--max-manifest-bytes").parse(argv);
        if (!args.positionals().isEmpty()) throw new UsageException("registry serve takes no arguments");
        RegistryServer.Config config = RegistryServer.Config.of(Path.of(args.value("--root").orElse(DEFAULT_ROOT)),
                listenAddress(args.value("--listen").orElse("127.0.0.1:5000")));
        if (args.value("--htpasswd").isPresent()) config = config.withHtpasswd(Path.of(args.required("--htpasswd")));
        if (args.value("--tls-cert").isPresent() || args.value("--tls-key").isPresent()) {
            config = config.withTls(Path.of(args.required("--tls-cert")), Path.of(args.required("--tls-key")));
        }
        if (args.value("--max-manifest-bytes").isPresent()) {
            config = config.withMaxManifestBytes(positiveInt(args.required("--max-manifest-bytes"), "--max-manifest-bytes"));
        }
        try (RegistryServer server = RegistryServer.start(config)) {
            String where = server.address() instanceof InetSocketAddress ? server.url() : server.address().toString();
            System.out.println("vireo registry: serving " + where + " from " + config.root()
                    + (config.htpasswd() != null ? " (basic auth)" : ""));
            System.out.flush();
            server.await();
        }
        return 0;
    }

    private static int gc(List<String> argv) throws Exception {
        Args args = Args.spec("registry gc").option("--root").option("--grace").flag("--dry-run").parse(argv);
        Duration grace = GarbageCollector.DEFAULT_GRACE;
        if (args.value("--grace").isPresent()) grace = duration(args.required("--grace"));
        GarbageCollector.Result result = GarbageCollector.collect(Path.of(args.value("--root").orElse(DEFAULT_ROOT)), grace, args.flag("--dry-run"));
        System.out.printf("%s %d blobs (%d bytes), kept %d blobs of %d manifests; removed %d stale uploads, %d dangling links%n",
                args.flag("--dry-run") ? "would remove" : "removed", result.blobsRemoved(), result.bytesRemoved(), result.blobsKept(),
                result.manifests(), result.uploadsRemoved(), result.linksRemoved());
        return 0;
    }

    /** {@code HOST:PORT}, {@code [V6]:PORT}, {@code :PORT} (every address) or {@code unix:PATH}. */
    static SocketAddress listenAddress(String text) {
        if (text.startsWith("unix:")) return UnixDomainSocketAddress.of(text.substring(5));
        int colon = text.lastIndexOf(':');
        if (colon < 0) throw new UsageException("--listen wants HOST:PORT, got '" + text + "'");
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        int port = positiveInt(text.substring(colon + 1), "--listen port");
        if (port > 65535) throw new UsageException("--listen port must be at most 65535");
        return host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
    }

    private static int positiveInt(String text, String what) {
        try {
            int value = Integer.parseInt(text);
            if (value >= 0) return value;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException(what + " must be a non-negative integer, got '" + text + "'");
    }

    /** {@code 90s}, {@code 15m}, {@code 2h}, {@code 0} or an ISO-8601 duration. */
    static Duration duration(String text) {
        try {
            if (text.equals("0")) return Duration.ZERO;
            char unit = text.charAt(text.length() - 1);
            String number = text.substring(0, text.length() - 1);
            return switch (unit) {
                case 's' -> Duration.ofSeconds(Long.parseLong(number));
                case 'm' -> Duration.ofMinutes(Long.parseLong(number));
                case 'h' -> Duration.ofHours(Long.parseLong(number));
                default -> Duration.parse(text);
            };
        } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
            throw new UsageException("bad duration '" + text + "' (e.g. 30s, 15m, 1h)");
        }
    }
}
