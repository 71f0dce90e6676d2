package dev.vireo.vmm;

import java.util.Locale;

/**
 * How one page of guest memory travels during a migration; all but {@link #RAW} are the
 * compression a user may allow. The wire code is the ordinal.
 */
public enum PageEncoding {
    /** The 4 KiB as they are. */
    RAW,
    /** A run of all-zero pages: a marker, no data. */
    ZERO,
    /** The difference against the copy sent in an earlier round (XBZRLE). */
    XBZRLE,
    LZ4,
    ZSTD;

    /** Bit in the stream header's feature set. */
    public long feature() {
        return 1L << ordinal();
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
