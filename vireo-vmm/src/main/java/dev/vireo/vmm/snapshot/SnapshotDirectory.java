package dev.vireo.vmm.snapshot;

import dev.vireo.json.Json;
import dev.vireo.json.JsonException;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * A snapshot on disk, a directory of three files:
 * <pre>
 *   manifest.json  {"format":"vireo-vm-snapshot","version":1,"files":{"state":{...},"memory":{...}}}
 *                  (each file: size, crc32c; memory also its extents, [{"offset":..,"length":..}])
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

    /** A run of written pages in the memory file. */
    public record Extent(long offset, long length) {}

    /** manifest.json. */
    record Manifest(String format, Integer version, Map<String, FileEntry> files) {}

    /** A file's entry in the manifest; {@code extents} for the memory file only. */
    record FileEntry(Long size, String crc32c, List<Extent> extents) {}

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

            CRC32C stateCrc = new CRC32C();
            stateCrc.update(stateBytes);
            Map<String, FileEntry> files = new LinkedHashMap<>();
            files.put(STATE, new FileEntry((long) stateBytes.length, hex(stateCrc), null));
            files.put(MEMORY, new FileEntry(memory.size(), hex(memoryCrc), extents));
            long data = extents.stream().mapToLong(Extent::length).sum();
            writeSynced(temp.resolve(MANIFEST), Json.write(new Manifest(FORMAT, StateFile.FORMAT_VERSION, files), Json.Style.INDENTED));
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
        Manifest manifest = readManifest(dir, what);
        String format = manifest.format() == null ? "" : manifest.format();
        if (!format.equals(FORMAT)) throw new SnapshotException(what + ": " + MANIFEST + " names format '" + format + "', not " + FORMAT);
        if (!Integer.valueOf(StateFile.FORMAT_VERSION).equals(manifest.version())) {
            throw new SnapshotException(what + " is format version " + (manifest.version() == null ? "(none)" : manifest.version())
                    + "; this Vireo reads version " + StateFile.FORMAT_VERSION);
        }
        FileEntry stateEntry = fileEntry(manifest, STATE, what), memoryEntry = fileEntry(manifest, MEMORY, what);
        Path statePath = present(dir, STATE, stateEntry, what), memoryPath = present(dir, MEMORY, memoryEntry, what);

        byte[] stateBytes = Files.readAllBytes(statePath);
        CRC32C stateCrc = new CRC32C();
        stateCrc.update(stateBytes);
        check(what, STATE, stateEntry, stateCrc);
        List<Extent> extents = extents(memoryEntry, what);
        check(what, MEMORY, memoryEntry, checksum(memoryPath, extents));

        MachineState state = StateFile.decode(stateBytes, what + ": " + STATE);
        if (state.config().memoryBytes() != memoryEntry.size()) {
            throw new SnapshotException(what + ": the state describes " + state.config().memoryBytes()
                    + " bytes of guest memory, the memory file holds " + memoryEntry.size());
        }
        return new Loaded(dir, state, memoryPath, extents.stream().mapToLong(Extent::length).sum());
    }

    private static Manifest readManifest(Path dir, String what) throws IOException {
        Path file = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(file)) throw new SnapshotException(what + " is incomplete: " + MANIFEST + " is missing");
        try {
            return Json.read(Files.readAllBytes(file), Manifest.class, MANIFEST);
        } catch (JsonException e) {
            throw new SnapshotException(what + ": " + (e.field() != null ? MANIFEST + " field " : "") + e.getMessage());
        }
    }

    private static FileEntry fileEntry(Manifest manifest, String name, String what) {
        FileEntry entry = manifest.files() == null ? null : manifest.files().get(name);
        if (entry == null || entry.size() == null || entry.size() < 0 || entry.crc32c() == null) {
            throw new SnapshotException(what + ": " + MANIFEST + " does not give the size and crc32c of " + name);
        }
        return entry;
    }

    private static Path present(Path dir, String name, FileEntry entry, String what) throws IOException {
        Path file = dir.resolve(name);
        if (!Files.isRegularFile(file)) throw new SnapshotException(what + " is incomplete: " + name + " is missing");
        long size = Files.size(file);
        if (size != entry.size()) {
            throw new SnapshotException(what + " is incomplete: " + name + " is " + size + " bytes, the manifest says " + entry.size());
        }
        return file;
    }

    private static void check(String what, String name, FileEntry entry, CRC32C actual) {
        if (!entry.crc32c().equalsIgnoreCase(hex(actual))) {
            throw new SnapshotException(what + ": " + name + " does not match its checksum (CRC-32C " + hex(actual)
                    + ", the manifest says " + entry.crc32c() + ")");
        }
    }

    private static List<Extent> extents(FileEntry memory, String what) {
        if (memory.extents() == null) throw new SnapshotException(what + ": " + MANIFEST + " does not list the memory file's extents");
        long end = 0;
        for (Extent e : memory.extents()) {
            if (e == null || e.offset() < end || e.length() <= 0 || e.offset() > memory.size() - e.length()) {
                throw new SnapshotException(what + ": " + MANIFEST + " lists a memory extent " + e + " outside the file or out of order");
            }
            end = e.offset() + e.length();
        }
        return memory.extents();
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
