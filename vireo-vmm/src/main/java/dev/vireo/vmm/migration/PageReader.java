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
    private long wireBytes;

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
     * Adds page {@code index} to {@code batch}, or, if it was never touched, the run of untouched
     * pages from there up to {@code limit} (exclusive) as zeros; returns how many pages it added.
     */
    int add(int index, int limit, List<PageEntry> batch) {
        if (untouched.get(index)) {
            int end = Math.min(limit, untouched.nextClearBit(index));
            untouched.clear(index, end);
            wireBytes += encoder.addNeverRead(index, end - index, batch);
            return end - index;
        }
        MemorySegment.copy(memory.page(index), ValueLayout.JAVA_BYTE, 0, page, 0, page.length);
        wireBytes += encoder.add(index, page, batch);
        return 1;
    }

    /** The wire bytes of every page added so far: how a caller sizes its batches. */
    long wireBytes() {
        return wireBytes;
    }

    PageEncoder encoder() {
        return encoder;
    }
}
