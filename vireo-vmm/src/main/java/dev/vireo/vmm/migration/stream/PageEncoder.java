package dev.vireo.vmm.migration.stream;

import dev.vireo.vmm.PageEncoding;

import io.airlift.compress.Compressor;
import io.airlift.compress.lz4.Lz4Compressor;
import io.airlift.compress.zstd.ZstdCompressor;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The source's side of the page encodings the user picked. A page goes, in this order of
 * preference: as a zero marker (merged into runs), as an XBZRLE delta if an earlier copy is
 * in the cache and the delta is small, compressed by LZ4 or zstd if that is smaller, else raw.
 * Counts pages and wire bytes per encoding, so the report can say what each saved.
 */
public final class PageEncoder {
    /** Bytes of framing per entry in a pages chunk: kind, index, encoding, length. */
    static final int DATA_ENTRY_OVERHEAD = 14, ZERO_RUN_OVERHEAD = 13;

    private final int pageSize;
    private final Set<PageEncoding> enabled;
    private final PageCache cache;
    private final Compressor compressor;
    private final PageEncoding compressorEncoding;
    private final byte[] scratch;
    private final byte[] zeroPage;
    /** The cached copy of the page being encoded. */
    private final byte[] previous;
    private final EncodingStats stats = new EncodingStats();

    /**
     * {@code enabled} holds what the user allowed besides RAW; at most one of LZ4 and zstd.
     * {@code cacheBytes} bounds the XBZRLE cache.
     */
    public PageEncoder(int pageSize, Set<PageEncoding> enabled, long cacheBytes) {
        if (enabled.contains(PageEncoding.LZ4) && enabled.contains(PageEncoding.ZSTD)) {
            throw new IllegalArgumentException("pick one of lz4 and zstd");
        }
        this.pageSize = pageSize;
        this.enabled = enabled.isEmpty() ? EnumSet.noneOf(PageEncoding.class) : EnumSet.copyOf(enabled);
        this.cache = this.enabled.contains(PageEncoding.XBZRLE) ? new PageCache(cacheBytes, pageSize) : null;
        this.compressorEncoding = this.enabled.contains(PageEncoding.LZ4) ? PageEncoding.LZ4
                : this.enabled.contains(PageEncoding.ZSTD) ? PageEncoding.ZSTD : null;
        this.compressor = compressorEncoding == PageEncoding.LZ4 ? new Lz4Compressor()
                : compressorEncoding == PageEncoding.ZSTD ? new ZstdCompressor() : null;
        this.zeroPage = new byte[pageSize];
        this.previous = new byte[pageSize];
        this.scratch = new byte[Math.max(pageSize, compressor == null ? 0 : compressor.maxCompressedLength(pageSize))];
    }

    /** The header's feature bits: every encoding this encoder may put on the wire. */
    public long features() {
        long f = PageEncoding.RAW.feature();
        for (PageEncoding e : enabled) f |= e.feature();
        return f;
    }

    public EncodingStats stats() {
        return stats;
    }

    /**
     * Encodes page {@code index} with content {@code page} and appends it to {@code batch};
     * a zero page extends a zero run that ends just before it. Returns the entry's wire bytes.
     */
    public int add(long index, byte[] page, List<PageEntry> batch) {
        if (enabled.contains(PageEncoding.ZERO) && isZero(page)) return addZero(index, batch);
        PageEntry.Data data = encode(index, page);
        if (cache != null) cache.put(index, page);
        batch.add(data);
        int wire = DATA_ENTRY_OVERHEAD + data.bytes().length;
        stats.count(data.encoding(), 1, pageSize, wire);
        return wire;
    }

    /**
     * Appends page {@code index}, found to hold zeros, as a zero marker (or extends the run that
     * ends just before it); returns the wire bytes it added. The page leaves the XBZRLE cache: a
     * later delta would be against the zeros the destination now has, which LZ4 does as well.
     */
    private int addZero(long index, List<PageEntry> batch) {
        if (cache != null) cache.remove(index);
        return addZeroRun(index, 1, batch);
    }

    /**
     * Appends the {@code count} pages from {@code first} on, never read and so never cached,
     * known to hold zeros: one run, however long (most of a guest's memory comes this way, and
     * a page at a time it would cost the sender more than the rest of a round).
     */
    public int addNeverRead(long first, int count, List<PageEntry> batch) {
        if (!enabled.contains(PageEncoding.ZERO)) {
            int wire = 0;
            for (int i = 0; i < count; i++) wire += add(first + i, zeroPage, batch);
            return wire;
        }
        return addZeroRun(first, count, batch);
    }

    private int addZeroRun(long first, int count, List<PageEntry> batch) {
        if (!batch.isEmpty() && batch.getLast() instanceof PageEntry.ZeroRun(long start, int length) && start + length == first) {
            batch.set(batch.size() - 1, new PageEntry.ZeroRun(start, length + count));
            stats.count(PageEncoding.ZERO, count, (long) count * pageSize, 0);
            return 0;
        }
        batch.add(new PageEntry.ZeroRun(first, count));
        stats.count(PageEncoding.ZERO, count, (long) count * pageSize, ZERO_RUN_OVERHEAD);
        return ZERO_RUN_OVERHEAD;
    }

    private PageEntry.Data encode(long index, byte[] page) {
        if (cache != null && cache.get(index, previous)) {
            int n = Xbzrle.encode(previous, page, scratch);
            if (n >= 0 && n <= pageSize / 4) return new PageEntry.Data(index, PageEncoding.XBZRLE, Arrays.copyOf(scratch, n));
        }
        if (compressor != null) {
            int n = compressor.compress(page, 0, pageSize, scratch, 0, scratch.length);
            if (n < pageSize) return new PageEntry.Data(index, compressorEncoding, Arrays.copyOf(scratch, n));
        }
        return new PageEntry.Data(index, PageEncoding.RAW, page.clone());
    }

    private boolean isZero(byte[] page) {
        return Arrays.mismatch(page, zeroPage) < 0;
    }
}
