package dev.vireo.registry;

import dev.vireo.oci.Descriptor;

import dev.vireo.oci.Digest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The local side of a push or pull: content by digest, and names. Vireo's image store and an
 * OCI image layout directory ({@link OciLayout}) both fit; the client needs nothing else.
 */
public interface LocalContent {
    /** The size of a complete blob, or -1 when absent. */
    long size(Digest digest) throws IOException;

    InputStream open(Digest digest) throws IOException;

    /** A small blob (manifest, config) read whole. */
    byte[] read(Digest digest) throws IOException;

    /**
     * Where a download of {@code digest} accumulates; it survives failed attempts (and runs),
     * so a later pull resumes from its length.
     */
    Path partial(Digest digest) throws IOException;

    /** Adds a downloaded file whose digest the client has verified; the file is moved or copied. */
    void add(Descriptor descriptor, Path verifiedFile) throws IOException;

    /** Adds a manifest or index (already verified) whose content the store checks as it likes. */
    void addManifest(Descriptor descriptor, byte[] content) throws IOException;

    /** The manifest a local name points at. */
    Optional<Descriptor> lookup(String name) throws IOException;

    /** Points a local name at a manifest or index. */
    void tag(String name, Descriptor manifest) throws IOException;
}
