package dev.vireo.registry;

import dev.vireo.oci.Descriptor;

import dev.vireo.oci.MediaTypes;

import dev.vireo.oci.Digest;

import dev.vireo.json.Json;
import dev.vireo.json.JsonException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * An OCI image layout directory (image-spec image-layout.md) as the local side of a transfer:
 * {@code oci-layout}, {@code index.json} naming manifests by the
 * {@code org.opencontainers.image.ref.name} annotation, and {@code blobs/ALG/HEX}. skopeo's
 * {@code oci:DIR:NAME} transport reads and writes the same layout. Partial downloads wait in
 * {@code .partial/}, outside what the layout defines.
 */
public final class OciLayout implements LocalContent {
    private static final String REF_NAME = "org.opencontainers.image.ref.name";
    private final Path directory;

    private OciLayout(Path directory) {
        this.directory = directory;
    }

    /** Opens a layout, creating an empty one when the directory has none. */
    public static OciLayout open(Path directory) throws IOException {
        Files.createDirectories(directory.resolve("blobs"));
        Path marker = directory.resolve("oci-layout");
        if (!Files.exists(marker)) writeAtomically(marker, "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
        Path index = directory.resolve("index.json");
        if (!Files.exists(index)) {
            writeAtomically(index, ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":[]}")
                    .getBytes(StandardCharsets.UTF_8));
        }
        return new OciLayout(directory);
    }

    public Path directory() {
        return directory;
    }

    private Path blob(Digest digest) {
        return directory.resolve("blobs").resolve(digest.algorithm()).resolve(digest.encoded());
    }

    @Override
    public long size(Digest digest) throws IOException {
        try {
            return Files.size(blob(digest));
        } catch (NoSuchFileException e) {
            return -1;
        }
    }

    @Override
    public InputStream open(Digest digest) throws IOException {
        return Files.newInputStream(blob(digest));
    }

    @Override
    public byte[] read(Digest digest) throws IOException {
        return Files.readAllBytes(blob(digest));
    }

    @Override
    public Path partial(Digest digest) throws IOException {
        return Files.createDirectories(directory.resolve(".partial")).resolve(digest.algorithm() + "-" + digest.encoded());
    }

    @Override
    public void add(Descriptor descriptor, Path verifiedFile) throws IOException {
        Path target = blob(descriptor.digest());
        Files.createDirectories(target.getParent());
        Files.move(verifiedFile, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void addManifest(Descriptor descriptor, byte[] content) throws IOException {
        if (size(descriptor.digest()) == content.length) return;
        writeAtomically(blob(descriptor.digest()), content);
    }

    @Override
    public synchronized Optional<Descriptor> lookup(String name) throws IOException {
        for (Object entry : manifests(index())) {
            if (name.equals(Json.at(entry, "annotations", REF_NAME))) {
                Descriptor found = Json.bind(entry, Descriptor.class);
                return Optional.of(new Descriptor(found.mediaType(), found.digest(), found.size()));
            }
        }
        return Optional.empty();
    }

    @Override
    public synchronized void tag(String name, Descriptor manifest) throws IOException {
        Map<String, Object> index = index();
        List<Object> manifests = manifests(index);
        manifests.removeIf(entry -> name.equals(Json.at(entry, "annotations", REF_NAME)));
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("mediaType", manifest.mediaType());
        entry.put("digest", manifest.digest().toString());
        entry.put("size", manifest.size());
        entry.put("annotations", Map.of(REF_NAME, name));
        manifests.add(entry);
        index.put("manifests", manifests);
        writeAtomically(directory.resolve("index.json"), Json.write(index, Json.Style.COMPACT));
    }

    /** {@code index.json} as a tree, so that what this class does not model is written back as it was. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> index() throws IOException {
        Path file = directory.resolve("index.json");
        try {
            if (Json.parse(Files.readAllBytes(file), file.toString()) instanceof Map<?, ?> object) return (Map<String, Object>) object;
        } catch (JsonException e) {
            throw new IOException(e.getMessage(), e);
        }
        throw new IOException(file + " is not a JSON object");
    }

    @SuppressWarnings("unchecked")
    private static List<Object> manifests(Map<String, Object> index) {
        return index.get("manifests") instanceof List<?> list ? (List<Object>) list : new ArrayList<>();
    }

    private static void writeAtomically(Path target, byte[] data) throws IOException {
        Files.createDirectories(target.getParent());
        Path temporary = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID());
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            var buffer = java.nio.ByteBuffer.wrap(data);
            while (buffer.hasRemaining()) channel.write(buffer);
            channel.force(true);
        }
        Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
