package dev.vireo.vmm.migration.stream;

import dev.vireo.vmm.MigrationReport;
import dev.vireo.vmm.PageEncoding;

import java.util.ArrayList;
import java.util.List;

/** Pages and wire bytes per page encoding: what each encoding saved is pages × page size − wire bytes. */
public final class EncodingStats {
    private final long[] pages = new long[PageEncoding.values().length];
    private final long[] raw = new long[pages.length];
    private final long[] wire = new long[pages.length];

    synchronized void count(PageEncoding encoding, int pageCount, long rawBytes, int wireBytes) {
        pages[encoding.ordinal()] += pageCount;
        raw[encoding.ordinal()] += rawBytes;
        wire[encoding.ordinal()] += wireBytes;
    }

    /** Pages sent so far as {@code encoding}. */
    public synchronized long pages(PageEncoding encoding) {
        return pages[encoding.ordinal()];
    }

    /** The encodings that carried at least one page. */
    public synchronized List<MigrationReport.Encoding> lines() {
        List<MigrationReport.Encoding> lines = new ArrayList<>();
        for (PageEncoding e : PageEncoding.values()) {
            if (pages[e.ordinal()] > 0) lines.add(new MigrationReport.Encoding(e, pages[e.ordinal()], raw[e.ordinal()], wire[e.ordinal()]));
        }
        return lines;
    }
}
