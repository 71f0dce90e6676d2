package dev.vireo.vmm.snapshot;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vireo.vmm.SnapshotException;
import dev.vireo.vmm.memory.GuestMemory;
import dev.vireo.vmm.memory.MemoryRegion;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * A snapshot on disk, a directory of three files:
 * <pre>
 *   manifest.json  {"format":"vireo-vm-snapshot","version":1,"files":{"state":{...},"memory":{...}}}
 *   state          the {@link StateFile} (size and CRC-32C in the manifest)
 *   memory         guest RAM, regions one after the other, as a sparse file: all-zero pages are holes
 * </pre>
 * The manifest lists the memory file's data extents (offset and length of each run of pages
 * written) and a CRC-32C over them in order; the holes are zeros by definition, so untouched
 * pages cost neither disk nor checksum time. Written into a temporary directory beside the target
 * and renamed into place, so a snapshot directory is complete or absent. {@link #load} checks the
 * manifest, every size and checksum and the state file before anything is built.
 */
public final class SnapshotDirectory {
    public static final String FORMAT = "vireo-vm-snapshot";
    public static final String MANIFEST = "manifest.json", STATE = "state", MEMORY = "memory";
    private static final long PAGE = 4096;
    /** Runs of pages are written and checked in pieces of at most this many bytes. */
    private static final long CHUNK = 8L << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A run of written pages in the memory file. */
    public record Extent(long offset, long length) {}

    /** What {@link #write} wrote: sizes for reports. */
    public record Written(Path dir, long stateBytes, long memoryBytes, long memoryDataBytes) {}

    /**
     * A checked snapshot: its state, and the memory file to map ({@link GuestMemory#mapPrivate})
     * with how many of its bytes are data rather than holes.
     */
    public record Loaded(Path dir, MachineState state, Path memory, long memoryDataBytes) {}

    private SnapshotDirectory() {}

    /**
     * Writes a snapshot of {@code state} and {@code memory} to {@code dir}, which must not exist
     * (its parent must). The VM must stay paused until this returns.
     */
    public static Written write(Path dir, MachineState state, GuestMemory memory) throws IOException {
        Path target = dir.toAbsolutePath().normalize();
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) throw new FileAlreadyExistsException(target + " already exists");
        Path parent = target.getParent();
        if (parent == null || !Files.isDirectory(parent)) throw new NoSuchFileException(parent + " (the snapshot's parent directory) does not exist");
        Path temp = Files.createTempDirectory(parent, "." + target.getFileName() + ".tmp-");
        try {
            byte[] stateBytes = StateFile.encode(state);
            writeSynced(temp.resolve(STATE), stateBytes);
            CRC32C memoryCrc = new CRC32C();
            List<Extent> extents = writeMemory(temp.resolve(MEMORY), memory, memoryCrc);

            ObjectNode manifest = JSON.createObjectNode().put("format", FORMAT).put("version", StateFile.FORMAT_VERSION);
            ObjectNode files = manifest.putObject("files");
            CRC32C stateCrc = new CRC32C();
            stateCrc.update(stateBytes);
            files.putObject(STATE).put("size", stateBytes.length).put("crc32c", hex(stateCrc));
            ObjectNode mem = files.putObject(MEMORY).put("size", memory.size()).put("crc32c", hex(memoryCrc));
            ArrayNode list = mem.putArray("extents");
            long data = 0;
            for (Extent e : extents) {
                list.addArray().add(e.offset()).add(e.length());
                data += e.length();
            }
            writeSynced(temp.resolve(MANIFEST), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest));
            sync(temp);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot rename the finished snapshot into " + target + ": " + e.getMessage());
            }
            sync(parent);
            return new Written(target, stateBytes.length, memory.size(), data);
        } catch (IOException | RuntimeException e) {
            deleteTree(temp);
            throw e;
        }
    }

    /**
     * Reads and checks the snapshot in {@code dir}: a missing file, another format version, a size
     * or checksum that does not match, or a state file that does not decode is a
     * {@link SnapshotException} naming the snapshot and what is wrong.
     */
    public static Loaded load(Path dir) throws IOException {
        String what = "snapshot " + dir;
        if (!Files.isDirectory(dir)) throw new SnapshotException(what + ": no such directory");
        JsonNode manifest = readManifest(dir, what);
        String format = manifest.path("format").asText("");
        if (!format.equals(FORMAT)) throw new SnapshotException(what + ": " + MANIFEST + " names format '" + format + "', not " + FORMAT);
        int version = manifest.path("version").asInt(-1);
        if (version != StateFile.FORMAT_VERSION) {
            throw new SnapshotException(what + " is format version " + manifest.path("version").asText("(none)")
                    + "; this Vireo reads version " + StateFile.FORMAT_VERSION);
        }
        JsonNode stateEntry = fileEntry(manifest, STATE, what), memoryEntry = fileEntry(manifest, MEMORY, what);
        Path statePath = present(dir, STATE, stateEntry, what), memoryPath = present(dir, MEMORY, memoryEntry, what);

        byte[] stateBytes = Files.readAllBytes(statePath);
        CRC32C stateCrc = new CRC32C();
        stateCrc.update(stateBytes);
        check(what, STATE, stateEntry, stateCrc);
        List<Extent> extents = extents(memoryEntry, memoryEntry.path("size").asLong(), what);
        check(what, MEMORY, memoryEntry, checksum(memoryPath, extents));

        MachineState state = StateFile.decode(stateBytes, what + ": " + STATE);
        long size = memoryEntry.path("size").asLong();
        if (state.config().memoryBytes() != size) {
            throw new SnapshotException(what + ": the state describes " + state.config().memoryBytes()
                    + " bytes of guest memory, the memory file holds " + size);
        }
        return new Loaded(dir, state, memoryPath, extents.stream().mapToLong(Extent::length).sum());
    }

    private static JsonNode readManifest(Path dir, String what) throws IOException {
        Path file = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(file)) throw new SnapshotException(what + " is incomplete: " + MANIFEST + " is missing");
        try {
            JsonNode manifest = JSON.readTree(file.toFile());
            if (manifest == null || !manifest.isObject()) throw new SnapshotException(what + ": " + MANIFEST + " is not a JSON object");
            return manifest;
        } catch (JacksonException e) {
            throw new SnapshotException(what + ": " + MANIFEST + " is not valid JSON (" + e.getOriginalMessage() + ")");
        }
    }

    private static JsonNode fileEntry(JsonNode manifest, String name, String what) {
        JsonNode entry = manifest.path("files").path(name);
        if (!entry.path("size").canConvertToLong() || entry.path("size").asLong() < 0 || !entry.path("crc32c").isTextual()) {
            throw new SnapshotException(what + ": " + MANIFEST + " does not give the size and crc32c of " + name);
        }
        return entry;
    }

    private static Path present(Path dir, String name, JsonNode entry, String what) throws IOException {
        Path file = dir.resolve(name);
        if (!Files.isRegularFile(file)) throw new SnapshotException(what + " is incomplete: " + name + " is missing");
        long size = Files.size(file), expected = entry.path("size").asLong();
        if (size != expected) {
            throw new SnapshotException(what + " is incomplete: " + name + " is " + size + " bytes, the manifest says " + expected);
        }
        return file;
    }

    private static void check(String what, String name, JsonNode entry, CRC32C actual) {
        String expected = entry.path("crc32c").asText();
        if (!expected.equalsIgnoreCase(hex(actual))) {
            throw new SnapshotException(what + ": " + name + " does not match its checksum (CRC-32C " + hex(actual)
                    + ", the manifest says " + expected + ")");
        }
    }

    private static List<Extent> extents(JsonNode memoryEntry, long size, String what) {
        JsonNode list = memoryEntry.path("extents");
        if (!list.isArray()) throw new SnapshotException(what + ": " + MANIFEST + " does not list the memory file's extents");
        List<Extent> extents = new ArrayList<>();
        long end = 0;
        for (JsonNode e : list) {
            long offset = e.path(0).asLong(-1), length = e.path(1).asLong(-1);
            if (e.size() != 2 || offset < end || length <= 0 || offset > size - length) {
                throw new SnapshotException(what + ": " + MANIFEST + " lists a memory extent " + e + " outside the file or out of order");
            }
            extents.add(new Extent(offset, length));
            end = offset + length;
        }
        return extents;
    }

    private static List<Extent> writeMemory(Path file, GuestMemory memory, CRC32C crc) throws IOException {
        List<Extent> extents = new ArrayList<>();
        MemorySegment zero = Arena.global().allocate(PAGE);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"); FileChannel channel = raf.getChannel()) {
            long base = 0;
            for (MemoryRegion region : memory.regions()) {
                MemorySegment host = region.host();
                long pages = region.size() / PAGE;
                long page = 0;
                while (page < pages) {
                    if (isZero(host, page, zero)) {
                        page++;
                        continue;
                    }
                    long first = page;
                    while (page < pages && (page - first) * PAGE < CHUNK && !isZero(host, page, zero)) page++;
                    long offset = first * PAGE, length = (page - first) * PAGE;
                    ByteBuffer run = host.asSlice(offset, length).asByteBuffer();
                    crc.update(run.duplicate());
                    while (run.hasRemaining()) channel.write(run, base + offset + run.position());
                    Extent previous = extents.isEmpty() ? null : extents.getLast();
                    if (previous != null && previous.offset() + previous.length() == base + offset) {
                        extents.set(extents.size() - 1, new Extent(previous.offset(), previous.length() + length));
                    } else {
                        extents.add(new Extent(base + offset, length));
                    }
                }
                base += region.size();
            }
            raf.setLength(base); // the rest is a hole: no disk, reads as zeros
            channel.force(true);
        }
        return extents;
    }

    private static boolean isZero(MemorySegment host, long page, MemorySegment zero) {
        long at = page * PAGE;
        return MemorySegment.mismatch(host, at, at + PAGE, zero, 0, PAGE) == -1;
    }

    private static CRC32C checksum(Path file, List<Extent> extents) throws IOException {
        CRC32C crc = new CRC32C();
        ByteBuffer buffer = ByteBuffer.allocateDirect((int) CHUNK);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            for (Extent e : extents) {
                for (long done = 0; done < e.length(); ) {
                    buffer.clear().limit((int) Math.min(CHUNK, e.length() - done));
                    int n = channel.read(buffer, e.offset() + done);
                    if (n < 0) throw new SnapshotException("memory file " + file + " ends inside an extent");
                    buffer.flip();
                    crc.update(buffer);
                    done += n;
                }
            }
        }
        return crc;
    }

    private static void writeSynced(Path file, byte[] bytes) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) channel.write(buffer);
            channel.force(true);
        }
    }

    private static void sync(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private static String hex(CRC32C crc) {
        return HexFormat.of().toHexDigits((int) crc.getValue());
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            // a temporary directory left behind is named as one (".NAME.tmp-*") and holds nothing live
        }
    }
}
