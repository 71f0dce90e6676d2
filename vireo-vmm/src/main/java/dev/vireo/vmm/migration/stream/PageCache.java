package dev.vireo.vmm.migration.stream;

import dev.vireo.sys.Mmap;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The source's copies of pages as last sent, for XBZRLE. Direct-mapped, as QEMU's XBZRLE cache
 * is: page {@code i} has slot {@code i mod slots}, and a page sent into a taken slot evicts the
 * one there. The copies live outside the Java heap, in anonymous memory mapped at the first put
 * (untouched slots cost nothing), so that megabytes of them never pass through the garbage
 * collector: on the heap, each young collection during a round copied them again (30 to 130 ms
 * a time in a fresh JVM under emulation).
 */
final class PageCache {
    private final int pageSize;
    /** Per slot: the index of the page it holds, plus one; 0 for an empty slot. */
    private final long[] held;
    private MemorySegment slots;

    PageCache(long capacityBytes, int pageSize) {
        this.pageSize = pageSize;
        this.held = new long[(int) Math.clamp(capacityBytes / pageSize, 1, Integer.MAX_VALUE - 8)];
    }

    /** Copies page {@code index} as last sent into {@code into}; false if the cache does not hold it. */
    boolean get(long index, byte[] into) {
        int slot = slot(index);
        if (held[slot] != index + 1) return false;
        MemorySegment.copy(slots, ValueLayout.JAVA_BYTE, (long) slot * pageSize, into, 0, pageSize);
        return true;
    }

    void remove(long index) {
        int slot = slot(index);
        if (held[slot] == index + 1) held[slot] = 0;
    }

    /** Remembers {@code content} as page {@code index}'s last sent copy. */
    void put(long index, byte[] content) {
        if (slots == null) {
            slots = Mmap.anonymous((long) held.length * pageSize, Mmap.PROT_READ | Mmap.PROT_WRITE, Mmap.MAP_NORESERVE,
                    Arena.ofAuto());
        }
        int slot = slot(index);
        MemorySegment.copy(content, 0, slots, ValueLayout.JAVA_BYTE, (long) slot * pageSize, pageSize);
        held[slot] = index + 1;
    }

    private int slot(long index) {
        return (int) Math.floorMod(index, (long) held.length);
    }
}
