package dev.vireo.vmm.migration;

import dev.vireo.vmm.memory.GuestMemory;
import dev.vireo.vmm.migration.stream.PageDecoder;
import dev.vireo.vmm.migration.stream.PageEntry;
import dev.vireo.vmm.migration.stream.StreamException;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.BitSet;
import java.util.List;

/**
 * Lands received pages in the destination's memory while its VM does not run (pre-copy,
 * non-live): plain copies. A zero page that never had content here is left alone, so the
 * host does not commit memory for it.
 */
final class PageWriter {
    private final GuestMemory memory;
    private final PageDecoder decoder = new PageDecoder(GuestMemory.PAGE_SIZE);
    private final BitSet written = new BitSet();
    private final byte[] page = new byte[GuestMemory.PAGE_SIZE];

    PageWriter(GuestMemory memory) {
        this.memory = memory;
    }

    /** Applies a batch; returns how many pages it held. */
    long apply(List<PageEntry> entries) throws StreamException {
        long pages = 0;
        for (PageEntry e : entries) {
            switch (e) {
                case PageEntry.ZeroRun(long first, int count) -> {
                    checkRange(memory, first, count);
                    int end = Math.toIntExact(first + count);
                    for (int i = written.nextSetBit((int) first); i >= 0 && i < end; i = written.nextSetBit(i + 1)) {
                        memory.page(i).fill((byte) 0);
                    }
                    pages += count;
                }
                case PageEntry.Data d -> {
                    checkRange(memory, d.index(), 1);
                    MemorySegment target = memory.page(d.index());
                    MemorySegment.copy(target, ValueLayout.JAVA_BYTE, 0, page, 0, page.length);
                    decoder.decode(d, page);
                    MemorySegment.copy(page, 0, target, ValueLayout.JAVA_BYTE, 0, page.length);
                    written.set((int) d.index());
                    pages++;
                }
            }
        }
        return pages;
    }

    /** Refuses pages outside the VM's RAM: the stream is for a different VM or corrupted. */
    static void checkRange(GuestMemory memory, long first, long count) throws StreamException {
        if (first < 0 || count < 0 || first + count > memory.pages()) {
            throw new StreamException("pages " + first + "+" + count + " lie outside the VM's " + memory.pages() + " pages");
        }
    }
}
