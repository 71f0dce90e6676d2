package dev.vireo.vmm.migration.stream;

import io.airlift.compress.Decompressor;
import io.airlift.compress.MalformedInputException;
import io.airlift.compress.lz4.Lz4Decompressor;
import io.airlift.compress.zstd.ZstdDecompressor;

/** The destination's side: turns a page entry back into the page's bytes. */
public final class PageDecoder {
    private final int pageSize;
    private final Decompressor lz4 = new Lz4Decompressor();
    private final Decompressor zstd = new ZstdDecompressor();

    public PageDecoder(int pageSize) {
        this.pageSize = pageSize;
    }

    /**
     * Decodes {@code data} into {@code page}, which holds the page's current content (the copy
     * an XBZRLE delta applies to; ignored by the other encodings).
     */
    public void decode(PageEntry.Data data, byte[] page) throws StreamException {
        byte[] b = data.bytes();
        switch (data.encoding()) {
            case RAW -> {
                if (b.length != pageSize) throw new StreamException("a raw page of " + b.length + " bytes");
                System.arraycopy(b, 0, page, 0, pageSize);
            }
            case XBZRLE -> Xbzrle.decode(b, page);
            case LZ4 -> decompress(lz4, data, page);
            case ZSTD -> decompress(zstd, data, page);
            case ZERO -> throw new StreamException("zero pages travel as runs");
        }
    }

    private void decompress(Decompressor d, PageEntry.Data data, byte[] page) throws StreamException {
        int n;
        try {
            n = d.decompress(data.bytes(), 0, data.bytes().length, page, 0, pageSize);
        } catch (MalformedInputException | IllegalArgumentException | IndexOutOfBoundsException e) {
            throw new StreamException("page " + data.index() + " does not decompress (" + data.encoding().label() + ")");
        }
        if (n != pageSize) throw new StreamException("page " + data.index() + " decompresses to " + n + " bytes");
    }
}
