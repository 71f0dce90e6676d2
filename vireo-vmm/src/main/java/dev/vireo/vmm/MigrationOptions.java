package dev.vireo.vmm;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * How to migrate: the mode, the downtime pre-copy aims at, the most rounds it may take, the
 * page encodings allowed on the wire, the XBZRLE cache size, and the most bytes per second
 * post-copy's background push may send (0: no limit; pages the destination faults on are never
 * held back), which leaves the link to demand faults as QEMU's max-postcopy-bandwidth does.
 */
public record MigrationOptions(MigrationMode mode, long downtimeMillis, int maxRounds, Set<PageEncoding> compression,
                               long xbzrleCacheBytes, long postcopyBandwidth) {
    public static final long DEFAULT_DOWNTIME_MILLIS = 300;
    public static final int DEFAULT_MAX_ROUNDS = 30;
    public static final long DEFAULT_XBZRLE_CACHE = 64L << 20;

    public MigrationOptions {
        if (downtimeMillis <= 0) throw new IllegalArgumentException("the downtime target must be positive");
        if (maxRounds < 1) throw new IllegalArgumentException("at least one round");
        if (postcopyBandwidth < 0) throw new IllegalArgumentException("the post-copy bandwidth must not be negative");
        compression = compression.isEmpty() ? EnumSet.noneOf(PageEncoding.class) : EnumSet.copyOf(compression);
        if (compression.contains(PageEncoding.RAW)) throw new IllegalArgumentException("raw is no compression");
        if (compression.contains(PageEncoding.LZ4) && compression.contains(PageEncoding.ZSTD)) {
            throw new IllegalArgumentException("--compress takes one of lz4 and zstd");
        }
        compression = Set.copyOf(compression);
    }

    public static MigrationOptions of(MigrationMode mode) {
        return new MigrationOptions(mode, DEFAULT_DOWNTIME_MILLIS, DEFAULT_MAX_ROUNDS, defaultCompression(), DEFAULT_XBZRLE_CACHE, 0);
    }

    public MigrationOptions withDowntimeMillis(long millis) {
        return new MigrationOptions(mode, millis, maxRounds, compression, xbzrleCacheBytes, postcopyBandwidth);
    }

    public MigrationOptions withMaxRounds(int rounds) {
        return new MigrationOptions(mode, downtimeMillis, rounds, compression, xbzrleCacheBytes, postcopyBandwidth);
    }

    public MigrationOptions withCompression(Set<PageEncoding> encodings) {
        return new MigrationOptions(mode, downtimeMillis, maxRounds, encodings, xbzrleCacheBytes, postcopyBandwidth);
    }

    public MigrationOptions withPostcopyBandwidth(long bytesPerSecond) {
        return new MigrationOptions(mode, downtimeMillis, maxRounds, compression, xbzrleCacheBytes, bytesPerSecond);
    }

    /**
     * Zero pages as markers and XBZRLE for pages sent again; the rest raw. LZ4 and zstd are the
     * user's choice for a slow link: on a fast one they cost more CPU (in a JVM still compiling
     * them, seconds for a few thousand pages) than the bytes they save take to send.
     */
    public static Set<PageEncoding> defaultCompression() {
        return EnumSet.of(PageEncoding.ZERO, PageEncoding.XBZRLE);
    }

    /** Parses {@code none} or a list such as {@code zero,xbzrle,lz4} (commas or several values). */
    public static Set<PageEncoding> parseCompression(List<String> values) {
        Set<PageEncoding> set = EnumSet.noneOf(PageEncoding.class);
        for (String value : values) {
            for (String item : value.split(",")) {
                if (item.equals("none")) continue;
                PageEncoding c = null;
                for (PageEncoding k : PageEncoding.values()) {
                    if (k != PageEncoding.RAW && k.label().equals(item)) c = k;
                }
                if (c == null) throw new IllegalArgumentException("unknown compression '" + item + "' (none, zero, xbzrle, lz4, zstd)");
                set.add(c);
            }
        }
        return set;
    }
}
