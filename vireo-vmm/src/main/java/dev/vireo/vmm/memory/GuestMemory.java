package dev.vireo.vmm.memory;

import dev.vireo.sys.Fd;
import dev.vireo.sys.Mmap;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Guest-physical memory: regions of host memory (anonymous, or a private mapping of a snapshot's
 * memory file), each one KVM slot, laid out around the 32-bit MMIO gap the way PC firmware does. Owns the mappings: closing it unmaps them.
 * Accesses by guest-physical address must fall inside one region.
 */
public final class GuestMemory implements AutoCloseable {
    /** Guest-physical addresses from here to 4 GiB are left for devices (as Firecracker does). */
    public static final long MMIO_GAP_START = 0xD000_0000L;
    public static final long MMIO_GAP_END = 0x1_0000_0000L;
    /** The page size of guest RAM as KVM tracks it (dirty log) and as migration moves it. */
    public static final int PAGE_SIZE = 4096;

    /** Where the kernel says, 8 bytes a page, whether each page of this process is present or swapped out. */
    private static final Path PAGEMAP = Path.of("/proc/self/pagemap");
    private static final long PAGEMAP_PRESENT = 1L << 63, PAGEMAP_SWAPPED = 1L << 62;

    private final Arena arena;
    private final List<MemoryRegion> regions;
    /** Anonymous memory: a page this process never touched reads as zeros. */
    private final boolean zeroUntilTouched;

    private GuestMemory(Arena arena, List<MemoryRegion> regions, boolean zeroUntilTouched) {
        this.arena = arena;
        this.regions = List.copyOf(regions);
        this.zeroUntilTouched = zeroUntilTouched;
    }

    /**
     * {@code size} bytes of RAM from guest-physical 0: one region below the MMIO gap, and a
     * second one from 4 GiB for whatever does not fit under it. Pages are reserved lazily
     * (MAP_NORESERVE): the host commits only what the guest touches.
     */
    public static GuestMemory anonymous(long size) {
        return laidOut(size, true, (offset, length, arena) ->
                Mmap.anonymous(length, Mmap.PROT_READ | Mmap.PROT_WRITE, Mmap.MAP_NORESERVE, arena));
    }

    /**
     * {@code size} bytes of RAM laid out as {@link #anonymous} does, whose contents start as
     * {@code file}'s (the regions one after the other, as a snapshot's memory file holds them),
     * mapped MAP_PRIVATE: a page is read from the file when the guest first touches it (a hole
     * reads as zeros), and what the guest writes stays in this process. The file may be closed
     * once this returns.
     */
    public static GuestMemory mapPrivate(Fd file, long size) {
        return laidOut(size, false, (offset, length, arena) -> Mmap.map(length, Mmap.PROT_READ | Mmap.PROT_WRITE,
                Mmap.MAP_PRIVATE | Mmap.MAP_NORESERVE, file, offset, arena));
    }

    private interface Mapper {
        MemorySegment map(long fileOffset, long length, Arena arena);
    }

    private static GuestMemory laidOut(long size, boolean anonymous, Mapper mapper) {
        if (size <= 0 || size % PAGE_SIZE != 0) throw new IllegalArgumentException("memory size must be a positive multiple of 4 KiB");
        Arena arena = Arena.ofShared();
        try {
            List<MemoryRegion> regions = new ArrayList<>();
            long low = lowSize(size);
            regions.add(new MemoryRegion(0, 0, mapper.map(0, low, arena), 0));
            if (size > low) regions.add(new MemoryRegion(1, MMIO_GAP_END, mapper.map(low, size - low, arena), 0));
            return new GuestMemory(arena, regions, anonymous);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** Whether {@code [address, address + length)} is RAM in a guest of {@code size} bytes laid out as {@link #anonymous} does. */
    public static boolean isRam(long size, long address, long length) {
        long low = lowSize(size);
        if (address >= 0 && length >= 0 && address <= low - length) return true;
        long high = size - low;
        return high > 0 && address >= MMIO_GAP_END && length >= 0 && address - MMIO_GAP_END <= high - length;
    }

    private static long lowSize(long size) {
        return Math.min(size, MMIO_GAP_START);
    }

    /** Memory over segments the caller owns, for tests and tools that need no KVM. */
    public static GuestMemory of(List<MemoryRegion> regions) {
        return new GuestMemory(null, regions, false);
    }

    public List<MemoryRegion> regions() {
        return regions;
    }

    /** Bytes of RAM over all regions. */
    public long size() {
        return regions.stream().mapToLong(MemoryRegion::size).sum();
    }

    /** Pages of RAM over all regions; {@link #page} numbers them from 0 across the regions in order. */
    public long pages() {
        return size() / PAGE_SIZE;
    }

    /** The host memory of RAM page {@code index}: the regions' pages counted in order, gaps skipped. */
    public MemorySegment page(long index) {
        long offset = index * PAGE_SIZE;
        for (MemoryRegion r : regions) {
            if (offset < r.size()) return r.host().asSlice(offset, PAGE_SIZE);
            offset -= r.size();
        }
        throw new IndexOutOfBoundsException("RAM page " + index + " of " + pages());
    }

    /**
     * The host memory of RAM pages {@code [first, first + count)}: one segment per region they
     * span, in order.
     */
    public List<MemorySegment> pages(long first, long count) {
        List<MemorySegment> spans = new ArrayList<>();
        long offset = first * PAGE_SIZE, length = count * PAGE_SIZE;
        for (MemoryRegion r : regions) {
            if (length > 0 && offset < r.size()) {
                long take = Math.min(length, r.size() - offset);
                spans.add(r.host().asSlice(offset, take));
                length -= take;
                offset = 0;
            } else {
                offset -= r.size();
            }
        }
        if (length > 0) throw new IndexOutOfBoundsException("RAM pages " + first + "+" + count + " of " + pages());
        return spans;
    }

    /**
     * The RAM pages this process has never touched, which hold zeros: in anonymous memory, those
     * the kernel has neither present nor swapped out ({@code /proc/self/pagemap}); none in memory
     * that starts as a file's contents. A page may be touched right after: callers that need it
     * to stay untouched log writes first (live migration's dirty log) or pause the guest.
     */
    public BitSet untouchedPages() throws IOException {
        BitSet untouched = new BitSet();
        if (!zeroUntilTouched) return untouched;
        try (FileChannel pagemap = FileChannel.open(PAGEMAP, StandardOpenOption.READ)) {
            ByteBuffer entries = ByteBuffer.allocateDirect(8 * 4096).order(ByteOrder.nativeOrder());
            long[] entry = new long[4096];
            int index = 0;
            for (MemoryRegion r : regions) {
                long pages = r.size() / PAGE_SIZE, first = r.host().address() / PAGE_SIZE;
                for (long done = 0; done < pages; ) {
                    int n = (int) Math.min(entry.length, pages - done);
                    entries.clear().limit(n * 8);
                    long position = (first + done) * 8;
                    while (entries.hasRemaining()) {
                        if (pagemap.read(entries, position + entries.position()) < 0) throw new IOException("pagemap ended early");
                    }
                    entries.flip().asLongBuffer().get(entry, 0, n);
                    // Runs, not single bits: a fresh JVM interprets this over every page of the guest.
                    int runStart = -1;
                    for (int j = 0; j < n; j++) {
                        boolean touched = (entry[j] & (PAGEMAP_PRESENT | PAGEMAP_SWAPPED)) != 0;
                        if (!touched && runStart < 0) runStart = j;
                        else if (touched && runStart >= 0) {
                            untouched.set(index + runStart, index + j);
                            runStart = -1;
                        }
                    }
                    if (runStart >= 0) untouched.set(index + runStart, index + n);
                    index += n;
                    done += n;
                }
            }
        }
        return untouched;
    }

    /** The RAM page index of host address {@code hostAddress}, or -1 if it is not guest RAM. */
    public long pageOf(long hostAddress) {
        long base = 0;
        for (MemoryRegion r : regions) {
            long offset = hostAddress - r.host().address();
            if (offset >= 0 && offset < r.size()) return base + offset / PAGE_SIZE;
            base += r.size() / PAGE_SIZE;
        }
        return -1;
    }

    public boolean contains(long address, long length) {
        return find(address, length) != null;
    }

    /** The host memory behind {@code [address, address + length)}, which must lie in one region. */
    public MemorySegment slice(long address, long length) {
        MemoryRegion r = find(address, length);
        if (r == null) {
            throw new IllegalArgumentException(String.format("guest-physical range 0x%x+0x%x is not RAM", address, length));
        }
        return r.host().asSlice(address - r.guestAddress(), length);
    }

    public void write(long address, byte[] bytes) {
        MemorySegment.copy(bytes, 0, slice(address, bytes.length), ValueLayout.JAVA_BYTE, 0, bytes.length);
    }

    public byte[] read(long address, int length) {
        return slice(address, length).toArray(ValueLayout.JAVA_BYTE);
    }

    public void writeLong(long address, long value) {
        slice(address, 8).set(ValueLayout.JAVA_LONG_UNALIGNED, 0, value);
    }

    public long readLong(long address) {
        return slice(address, 8).get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
    }

    private MemoryRegion find(long address, long length) {
        for (MemoryRegion r : regions) {
            if (r.contains(address, length)) return r;
        }
        return null;
    }

    @Override
    public void close() {
        if (arena != null) arena.close();
    }
}
