package dev.vireo.registry.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * Writes that a crash cannot leave half done: the content goes to a temporary file in the
 * same file system, is flushed to disk, and is renamed into place; the directory is flushed
 * so the rename itself survives a power loss. A reader sees the old file or the new one.
 */
final class AtomicFiles {
    private final Path temporary;

    AtomicFiles(Path temporary) throws IOException {
        this.temporary = Files.createDirectories(temporary);
    }

    Path newTemporary() {
        return temporary.resolve(UUID.randomUUID().toString());
    }

    void write(Path target, byte[] data) throws IOException {
        Path file = newTemporary();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            var buffer = java.nio.ByteBuffer.wrap(data);
            while (buffer.hasRemaining()) channel.write(buffer);
            channel.force(true);
        }
        moveIntoPlace(file, target);
    }

    /** Renames a complete, flushed file to {@code target}, replacing what is there. */
    static void moveIntoPlace(Path file, Path target) throws IOException {
        Files.createDirectories(target.getParent());
        try {
            Files.move(file, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.deleteIfExists(file);
            throw new IOException("storage temp and data directories must be on one file system: " + e.getMessage(), e);
        } catch (IOException e) {
            Files.deleteIfExists(file);
            throw e;
        }
        syncDirectory(target.getParent());
    }

    static void syncDirectory(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    /** Creates an empty marker file; an existing one is fine (two writers agree). */
    static void touchMarker(Path marker) throws IOException {
        Files.createDirectories(marker.getParent());
        try {
            Files.createFile(marker);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            // another request linked the same content first
        }
    }
}
