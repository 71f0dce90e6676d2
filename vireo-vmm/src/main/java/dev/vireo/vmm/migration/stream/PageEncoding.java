package dev.vireo.vmm.migration.stream;

import java.util.Locale;

/** How one page travels; the wire code is the ordinal. */
public enum PageEncoding {
    /** The 4 KiB as they are. */
    RAW,
    /** A run of all-zero pages: a marker, no data. */
    ZERO,
    /** The difference against the copy sent in an earlier round (XBZRLE). */
    XBZRLE,
    LZ4,
    ZSTD;

    /** Bit in the header's feature set. */
    public long feature() {
        return 1L << ordinal();
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
