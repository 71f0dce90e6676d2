package dev.vireo.registry.client;

import dev.vireo.oci.Descriptor;
import dev.vireo.oci.Digest;
import dev.vireo.registry.LocalContent;
import dev.vireo.registry.TransferProgress.State;
import dev.vireo.registry.TransferProgress;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Moves one blob each way, resuming after a broken connection: an upload asks the session
 * how far it got ({@code GET} on its location, the {@code Range} field) and continues with a
 * {@code PATCH} from there; a download keeps its partial file and asks for the rest with
 * {@code Range: bytes=N-}. Downloads are verified against the digest before they are added.
 */
public final class BlobTransfer {
    static final int ATTEMPTS = 5;
    private static final Pattern UPLOAD_RANGE = Pattern.compile("(?:bytes=)?0-(\\d+)");
    private final Session session;
    private final String repository;
    private final String scope;
    private final TransferProgress progress;

    public BlobTransfer(Session session, String repository, String scope, TransferProgress progress) {
        this.session = session;
        this.repository = repository;
        this.scope = scope;
        this.progress = progress;
    }

    private URI blobUri(Digest digest) {
        return session.resolve("/v2/" + repository + "/blobs/" + digest);
    }

    /** Whether the registry has the blob in this repository (HEAD). */
    public boolean exists(Digest digest) throws IOException {
        HttpResponse<Void> head = session.send(() -> HttpRequest.newBuilder(blobUri(digest)).method("HEAD", HttpRequest.BodyPublishers.noBody()),
                HttpResponse.BodyHandlers.discarding(), scope);
        return head.statusCode() == 200;
    }

    /** Uploads a blob unless the registry has it, or can mount it from {@code mountFrom} (may be null). */
    public void upload(LocalContent local, Descriptor blob, String mountFrom) throws IOException {
        Digest digest = blob.digest();
        if (exists(digest)) {
            progress.update(digest, State.EXISTS, blob.size(), blob.size());
            return;
        }
        String start = "/v2/" + repository + "/blobs/uploads/";
        if (mountFrom != null && !mountFrom.equals(repository)) start += "?mount=" + digest + "&from=" + mountFrom;
        URI startUri = session.resolve(start);
        HttpResponse<String> started = session.send(() -> HttpRequest.newBuilder(startUri).POST(HttpRequest.BodyPublishers.noBody()),
                HttpResponse.BodyHandlers.ofString(), scope);
        if (started.statusCode() == 201) {
            progress.update(digest, State.MOUNTED, blob.size(), blob.size());
            return;
        }
        if (started.statusCode() != 202) throw failure("starting the upload of " + digest, started, started.body());
        URI location = location(started);
        long offset = 0;
        for (int attempt = 1; ; attempt++) {
            try {
                location = patch(local, blob, location, offset);
                break;
            } catch (IOException e) {
                if (attempt == ATTEMPTS) throw e;
                progress.update(digest, State.RETRYING, offset, blob.size());
                offset = uploadedSoFar(location);
            }
        }
        String separator = location.getRawQuery() == null ? "?" : "&";
        URI finish = URI.create(location + separator + "digest=" + digest);
        HttpResponse<String> put = session.send(() -> HttpRequest.newBuilder(finish).PUT(HttpRequest.BodyPublishers.noBody()),
                HttpResponse.BodyHandlers.ofString(), scope);
        if (put.statusCode() != 201) throw failure("finishing the upload of " + digest, put, put.body());
        progress.update(digest, State.DONE, blob.size(), blob.size());
    }

    private URI patch(LocalContent local, Descriptor blob, URI location, long offset) throws IOException {
        long size = blob.size();
        if (offset >= size) return location;
        HttpResponse<String> response = session.send(() -> HttpRequest.newBuilder(location)
                .header("Content-Type", "application/octet-stream")
                .header("Content-Range", offset + "-" + (size - 1))
                .method("PATCH", HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> {
                    try {
                        InputStream in = local.open(blob.digest());
                        in.skipNBytes(offset);
                        return new Counting(in, blob.digest(), offset, size, State.UPLOADING);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }), size - offset)), HttpResponse.BodyHandlers.ofString(), scope);
        if (response.statusCode() != 202) throw failure("uploading " + blob.digest(), response, response.body());
        return location(response);
    }

    /** Where an interrupted upload stands, from its status; a lost session starts over. */
    private long uploadedSoFar(URI location) throws IOException {
        HttpResponse<String> status = session.send(() -> HttpRequest.newBuilder(location).GET(), HttpResponse.BodyHandlers.ofString(), scope);
        if (status.statusCode() != 204) throw failure("asking how much of an upload arrived", status, status.body());
        Matcher m = UPLOAD_RANGE.matcher(status.headers().firstValue("Range").orElse(""));
        // "0-0" is both one byte and nothing (as Docker's registry answers); resending byte 0 is harmless only
        // when nothing arrived, so treat it as nothing and let a 416 correct us.
        return m.matches() && Long.parseLong(m.group(1)) > 0 ? Long.parseLong(m.group(1)) + 1 : 0;
    }

    private URI location(HttpResponse<?> response) throws IOException {
        String location = response.headers().firstValue("Location")
                .orElseThrow(() -> new IOException("registry answered " + response.statusCode() + " without a Location"));
        return session.resolve(location);
    }

    /** Downloads a blob into the local content, resuming from a partial file, unless it is there already. */
    public void download(LocalContent local, Descriptor blob) throws IOException {
        Digest digest = blob.digest();
        if (local.size(digest) == blob.size()) {
            progress.update(digest, State.EXISTS, blob.size(), blob.size());
            return;
        }
        Path partial = local.partial(digest);
        for (int attempt = 1; ; attempt++) {
            try {
                fetch(blob, partial);
                break;
            } catch (IOException e) {
                if (attempt == ATTEMPTS || e instanceof ContentMismatchException) throw e;
                progress.update(digest, State.RETRYING, Files.exists(partial) ? Files.size(partial) : 0, blob.size());
            }
        }
        progress.update(digest, State.VERIFYING, blob.size(), blob.size());
        MessageDigest hasher = digest.newHasher();
        try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.READ)) {
            Digest.hash(hasher, channel, channel.size());
        }
        Digest actual = Digest.of(digest.algorithm(), hasher.digest());
        if (!actual.equals(digest)) {
            Files.deleteIfExists(partial);
            throw new ContentMismatchException("downloaded content of " + digest + " has digest " + actual);
        }
        local.add(blob, partial);
        progress.update(digest, State.DONE, blob.size(), blob.size());
    }

    private void fetch(Descriptor blob, Path partial) throws IOException {
        long have = Files.exists(partial) ? Files.size(partial) : 0;
        if (have > blob.size()) {
            Files.delete(partial);
            have = 0;
        }
        if (have == blob.size()) return;
        long from = have;
        HttpResponse<InputStream> response = session.send(() -> {
            HttpRequest.Builder builder = HttpRequest.newBuilder(blobUri(blob.digest())).GET();
            if (from > 0) builder.header("Range", "bytes=" + from + "-");
            return builder;
        }, HttpResponse.BodyHandlers.ofInputStream(), scope);
        try (InputStream body = response.body()) {
            long offset;
            if (response.statusCode() == 206) {
                offset = from;
            } else if (response.statusCode() == 200) {
                offset = 0;
            } else {
                throw failure("downloading " + blob.digest(), response, new String(body.readNBytes(64 * 1024), java.nio.charset.StandardCharsets.UTF_8));
            }
            try (FileChannel out = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                out.truncate(offset);
                out.position(offset);
                byte[] buffer = new byte[1024 * 1024];
                long done = offset;
                for (int n; (n = body.read(buffer)) > 0; ) {
                    if (done + n > blob.size()) throw new ContentMismatchException("registry sent more than the " + blob.size() + " bytes of " + blob.digest());
                    ByteBuffer wrapped = ByteBuffer.wrap(buffer, 0, n);
                    while (wrapped.hasRemaining()) out.write(wrapped);
                    done += n;
                    progress.update(blob.digest(), State.DOWNLOADING, done, blob.size());
                }
                if (done != blob.size()) throw new IOException("download of " + blob.digest() + " ended at " + done + " of " + blob.size() + " bytes");
            }
        }
    }

    static IOException failure(String what, HttpResponse<?> response, String body) {
        return new IOException(what + " failed: " + Session.describe(response, body));
    }

    /** Content that does not match its digest: retrying cannot help. */
    public static final class ContentMismatchException extends IOException {
        private static final long serialVersionUID = 1L;

        public ContentMismatchException(String message) {
            super(message);
        }
    }

    /** Reports bytes as the HTTP client reads them from the local blob. */
    private final class Counting extends FilterInputStream {
        private final Digest digest;
        private final long total;
        private final State state;
        private long done;
        private long reported;

        Counting(InputStream in, Digest digest, long start, long total, State state) {
            super(in);
            this.digest = digest;
            this.done = start;
            this.total = total;
            this.state = state;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                done += n;
                if (done - reported >= 256 * 1024 || done == total) {
                    reported = done;
                    progress.update(digest, state, done, total);
                }
            }
            return n;
        }
    }
}
