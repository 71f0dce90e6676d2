package dev.vireo.vmm.migration;

import dev.vireo.vmm.memory.GuestMemory;
import dev.vireo.vmm.migration.stream.PageEncoder;
import dev.vireo.vmm.migration.stream.PageEntry;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.BitSet;
import java.util.List;

/**
 * Reads source pages out of guest memory into the encoder, one page buffer reused. Pages the
 * process never touched go as zeros without being read, once {@link #skipUntouched} found them:
 * most of a guest's memory, which reading would only fault in as zero pages.
 */
final class PageReader {
    private final GuestMemory memory;
    private final PageEncoder encoder;
    private final byte[] page = new byte[GuestMemory.PAGE_SIZE];
    private BitSet untouched = new BitSet();

    PageReader(GuestMemory memory, PageEncoder encoder) {
        this.memory = memory;
        this.encoder = encoder;
    }

    /**
     * Finds the pages never touched so far; each goes as a zero page the first time it is sent
     * (a later send is of a page dirtied since, which is read). Called once guest writes are
     * logged or paused, so none slips past.
     */
    void skipUntouched() {
        try {
            untouched = memory.untouchedPages();
        } catch (IOException e) {
            untouched = new BitSet(); // no pagemap to read (a restricted /proc): every page is read, as it would be anyway
        }
    }

    /**
     * How many pages from {@code index} on, up to {@code limit} (exclusive), were never touched:
     * 0 if page {@code index} was; such a run goes by {@link #addUntouched}, the rest by {@link #add}.
     */
    int untouchedRun(int index, int limit) {
        return untouched.get(index) ? Math.min(limit, untouched.nextClearBit(index)) - index : 0;
    }

    /** Adds the {@code count} untouched pages from {@code first} on as zeros; returns the wire bytes added. */
    int addUntouched(int first, int count, List<PageEntry> batch) {
        untouched.clear(first, first + count);
        return encoder.addNeverRead(first, count, batch);
    }

    /** Adds page {@code index}'s encoding to {@code batch}; returns the wire bytes it added. */
    int add(long index, List<PageEntry> batch) {
        int i = Math.toIntExact(index);
        int run = untouchedRun(i, i + 1);
        if (run > 0) return addUntouched(i, run, batch);
        MemorySegment.copy(memory.page(index), ValueLayout.JAVA_BYTE, 0, page, 0, page.length);
        return encoder.add(index, page, batch);
    }

    PageEncoder encoder() {
        return encoder;
    }
}
