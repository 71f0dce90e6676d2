package dev.vireo.vmm.migration.stream;

import dev.vireo.vmm.PageEncoding;

/** One item of a {@link Chunk.Pages} batch, naming RAM pages by index (see GuestMemory.page). */
public sealed interface PageEntry {
    /** Pages {@code [first, first + count)} are all zero. */
    record ZeroRun(long first, int count) implements PageEntry {}

    /** Page {@code index}'s content as {@code encoding} packs it. */
    record Data(long index, PageEncoding encoding, byte[] bytes) implements PageEntry {
        public Data {
            if (encoding == PageEncoding.ZERO) throw new IllegalArgumentException("zero pages travel as a ZeroRun");
        }
    }
}
