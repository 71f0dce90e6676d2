package dev.vireo.vmm.migration;

import dev.vireo.vmm.memory.GuestMemory;
import dev.vireo.vmm.migration.stream.PageEncoder;
import dev.vireo.vmm.migration.stream.PageEntry;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/** Reads source pages out of guest memory into the encoder, one page buffer reused. */
final class PageReader {
    private final GuestMemory memory;
    private final PageEncoder encoder;
    private final byte[] page = new byte[GuestMemory.PAGE_SIZE];

    PageReader(GuestMemory memory, PageEncoder encoder) {
        this.memory = memory;
        this.encoder = encoder;
    }

    /** Adds page {@code index}'s encoding to {@code batch}; returns the wire bytes it added. */
    int add(long index, List<PageEntry> batch) {
        MemorySegment.copy(memory.page(index), ValueLayout.JAVA_BYTE, 0, page, 0, page.length);
        return encoder.add(index, page, batch);
    }

    PageEncoder encoder() {
        return encoder;
    }
}
