package dev.vireo.registry;

import dev.vireo.oci.Descriptor;

import dev.vireo.oci.MediaTypes;

import dev.vireo.oci.Digest;
import dev.vireo.oci.Platform;

import dev.vireo.registry.client.BlobTransfer;
import dev.vireo.registry.client.Session;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import javax.net.ssl.SSLContext;

/**
 * Moves images between {@link LocalContent} and a registry speaking the distribution API.
 * Blobs move in parallel (a bounded number at a time), blobs the other side has are skipped
 * (HEAD, cross-repository mount, a complete local copy), interrupted transfers resume, and
 * manifests follow their blobs, so a registry never sees a manifest before its content.
 */
public final class RegistryClient implements AutoCloseable {
    private final Session session;
    private final int parallel;

    /**
     * How to reach a registry: {@code user} null for anonymous access, {@code plainHttp} to skip
     * TLS, {@code tls} null for the JDK's trusted authorities.
     */
    public record Options(String user, String password, boolean plainHttp, SSLContext tls, int parallel) {
        public Options {
            if (parallel < 1) throw new IllegalArgumentException("parallel transfers must be at least 1");
        }

        public static Options defaults() {
            return new Options(null, null, false, null, 3);
        }

        public Options withCredentials(String newUser, String newPassword) {
            return new Options(newUser, newPassword, plainHttp, tls, parallel);
        }

        public Options withPlainHttp(boolean plain) {
            return new Options(user, password, plain, tls, parallel);
        }

        public Options withTls(SSLContext context) {
            return new Options(user, password, plainHttp, context, parallel);
        }

        public Options withParallel(int n) {
            return new Options(user, password, plainHttp, tls, n);
        }
    }

    private RegistryClient(Session session, int parallel) {
        this.session = session;
        this.parallel = parallel;
    }

    /** Connects to {@code registry} ({@code host[:port]}) and learns how it authenticates. */
    public static RegistryClient connect(String registry, Options options) throws IOException {
        return new RegistryClient(Session.open(registry, options.plainHttp(), loopback(registry), options.tls(), options.user(), options.password()),
                options.parallel());
    }

    /** Whether the registry is on this machine, where Docker allows plain HTTP too. */
    static boolean loopback(String registry) {
        String host = registry.startsWith("[") ? registry.substring(0, registry.indexOf(']') + 1) : registry.split(":")[0];
        return host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]");
    }

    public URI base() {
        return session.base();
    }

    /**
     * Pushes the image (or index) {@code manifest} from {@code local} to {@code repository} under
     * {@code tag} (null: by digest only). {@code mountFrom} names a repository of the same
     * registry to mount blobs from (null for none).
     */
    public Descriptor push(LocalContent local, Descriptor manifest, String repository, String tag, String mountFrom,
                           TransferProgress progress) throws IOException {
        String scope = "repository:" + repository + ":pull,push";
        BlobTransfer transfer = new BlobTransfer(session, repository, scope, progress);
        pushManifest(local, manifest, repository, tag, mountFrom, transfer, scope, progress);
        return manifest;
    }

    private void pushManifest(LocalContent local, Descriptor descriptor, String repository, String tag, String mountFrom,
                              BlobTransfer transfer, String scope, TransferProgress progress) throws IOException {
        byte[] content = local.read(descriptor.digest());
        Manifest manifest = Manifest.parse(content, descriptor.mediaType());
        if (manifest.isIndex()) {
            for (Descriptor child : manifest.manifests()) {
                if (local.size(child.digest()) >= 0) {
                    pushManifest(local, child, repository, null, mountFrom, transfer, scope, progress);
                } else if (!remoteManifestExists(repository, child.digest(), scope)) {
                    throw new IOException("index " + descriptor.digest() + " lists manifest " + child.digest()
                            + ", which neither the local store nor the registry has");
                }
            }
        } else {
            List<Descriptor> blobs = manifest.blobs().stream().filter(b -> b.urls().isEmpty()).toList();
            for (Descriptor blob : blobs) {
                if (local.size(blob.digest()) != blob.size()) {
                    throw new IOException("blob " + blob.digest() + " of manifest " + descriptor.digest() + " is missing locally");
                }
            }
            inParallel(blobs, blob -> transfer.upload(local, blob, mountFrom), progress);
        }
        String reference = tag != null ? tag : descriptor.digest().toString();
        URI uri = session.resolve("/v2/" + repository + "/manifests/" + reference);
        HttpResponse<String> put = session.send(() -> HttpRequest.newBuilder(uri).header("Content-Type", manifest.mediaType())
                .PUT(HttpRequest.BodyPublishers.ofByteArray(content)), HttpResponse.BodyHandlers.ofString(), scope);
        if (put.statusCode() != 201) throw new IOException("pushing manifest " + descriptor.digest() + " failed: " + Session.describe(put, put.body()));
        Optional<String> echoed = put.headers().firstValue("Docker-Content-Digest");
        if (echoed.isPresent() && !echoed.get().equals(descriptor.digest().toString())) {
            throw new IOException("registry stored manifest " + descriptor.digest() + " as " + echoed.get());
        }
    }

    private boolean remoteManifestExists(String repository, Digest digest, String scope) throws IOException {
        URI uri = session.resolve("/v2/" + repository + "/manifests/" + digest);
        return session.send(() -> HttpRequest.newBuilder(uri).method("HEAD", HttpRequest.BodyPublishers.noBody())
                .header("Accept", String.join(", ", MediaTypes.MANIFEST_TYPES)), HttpResponse.BodyHandlers.discarding(), scope).statusCode() == 200;
    }

    /** A manifest as the registry served it, verified against the digest it was asked by or announced. */
    public record Fetched(Descriptor descriptor, byte[] content, Manifest manifest) {}

    public Fetched fetchManifest(String repository, String reference, String scope) throws IOException {
        URI uri = session.resolve("/v2/" + repository + "/manifests/" + reference);
        HttpResponse<byte[]> response = session.send(() -> HttpRequest.newBuilder(uri).GET()
                .header("Accept", String.join(", ", MediaTypes.MANIFEST_TYPES)), HttpResponse.BodyHandlers.ofByteArray(), scope);
        if (response.statusCode() != 200) {
            throw new IOException("manifest " + repository + ":" + reference + ": "
                    + Session.describe(response, new String(response.body(), java.nio.charset.StandardCharsets.UTF_8)));
        }
        byte[] content = response.body();
        if (content.length > RegistryServer.DEFAULT_MAX_MANIFEST_BYTES) throw new IOException("manifest " + reference + " is too large");
        Digest digest = Digest.sha256(content);
        if (reference.contains(":")) {
            Digest asked = Digest.parse(reference);
            Digest actual = asked.algorithm().equals("sha256") ? digest : Digest.of(asked.algorithm(), asked.newHasher().digest(content));
            if (!actual.equals(asked)) throw new IOException("registry sent manifest " + actual + " for " + asked);
        }
        Optional<String> announced = response.headers().firstValue("Docker-Content-Digest");
        if (announced.isPresent() && announced.get().startsWith("sha256:") && !announced.get().equals(digest.toString())) {
            throw new IOException("manifest content has digest " + digest + " but the registry announced " + announced.get());
        }
        String contentType = response.headers().firstValue("Content-Type").map(t -> t.split(";")[0].strip()).orElse(null);
        Manifest manifest = Manifest.parse(content, MediaTypes.MANIFEST_TYPES.contains(contentType) ? contentType : null);
        return new Fetched(new Descriptor(manifest.mediaType(), digest, content.length), content, manifest);
    }

    /**
     * Pulls {@code repository:reference} into {@code local}: an index with this machine's
     * platform manifest (as Docker pulls one platform), or a single manifest; returns the
     * descriptor of what the reference named, which the caller tags.
     */
    public Descriptor pull(String repository, String reference, LocalContent local, TransferProgress progress) throws IOException {
        String scope = "repository:" + repository + ":pull";
        BlobTransfer transfer = new BlobTransfer(session, repository, scope, progress);
        Fetched top = fetchManifest(repository, reference, scope);
        Fetched image = top;
        if (top.manifest().isIndex()) {
            Descriptor chosen = platformManifest(top.manifest())
                    .orElseThrow(() -> new IOException(repository + ":" + reference + " has no manifest for " + Platform.host()));
            image = fetchManifest(repository, chosen.digest().toString(), scope);
        }
        List<Descriptor> blobs = image.manifest().blobs().stream().filter(b -> b.urls().isEmpty()).toList();
        inParallel(blobs, blob -> transfer.download(local, blob), progress);
        local.addManifest(image.descriptor(), image.content());
        if (image != top) local.addManifest(top.descriptor(), top.content());
        return top.descriptor();
    }

    /** The child of an index for linux on this architecture, read from the raw document's platform fields. */
    private Optional<Descriptor> platformManifest(Manifest index) {
        for (Descriptor child : index.manifests()) {
            if (child.platform() == null || Platform.host().matches(child.platform())) return Optional.of(child);
        }
        return Optional.empty();
    }

    @FunctionalInterface
    private interface BlobAction {
        void run(Descriptor blob) throws IOException;
    }

    /** Runs one action per blob on virtual threads, at most {@code parallel} at once; the first failure wins. */
    private void inParallel(List<Descriptor> blobs, BlobAction action, TransferProgress progress) throws IOException {
        for (Descriptor blob : blobs) progress.update(blob.digest(), TransferProgress.State.WAITING, 0, blob.size());
        Semaphore slots = new Semaphore(parallel);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Void>> running = new ArrayList<>();
            for (Descriptor blob : blobs.stream().distinct().toList()) {
                running.add(pool.submit(() -> {
                    slots.acquire();
                    try {
                        action.run(blob);
                    } finally {
                        slots.release();
                    }
                    return null;
                }));
            }
            for (Future<Void> future : running) {
                try {
                    future.get();
                } catch (ExecutionException e) {
                    pool.shutdownNow();
                    if (e.getCause() instanceof IOException io) throw io;
                    if (e.getCause() instanceof RuntimeException runtime) throw runtime;
                    throw new IOException(e.getCause());
                } catch (InterruptedException e) {
                    pool.shutdownNow();
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("transfer interrupted");
                }
            }
        }
    }

    @Override
    public void close() {
        session.close();
    }
}
