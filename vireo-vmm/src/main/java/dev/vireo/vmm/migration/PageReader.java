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

    /** Adds page {@code index}'s encoding to {@code batch}; returns the wire bytes it added. */
    int add(long index, List<PageEntry> batch) {
        int i = Math.toIntExact(index);
        if (untouched.get(i)) {
            untouched.clear(i);
            return encoder.addZero(index, batch);
        }
        MemorySegment.copy(memory.page(index), ValueLayout.JAVA_BYTE, 0, page, 0, page.length);
        return encoder.add(index, page, batch);
    }

    PageEncoder encoder() {
        return encoder;
    }
}
