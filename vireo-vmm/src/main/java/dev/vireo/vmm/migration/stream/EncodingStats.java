package dev.vireo.vmm.migration.stream;

import java.util.ArrayList;
import java.util.List;

/** Pages and wire bytes per page encoding: what each encoding saved is pages × page size − wire bytes. */
public final class EncodingStats {
    /** One encoding's totals. */
    public record Line(PageEncoding encoding, long pages, long rawBytes, long wireBytes) {
        public long savedBytes() {
            return rawBytes - wireBytes;
        }
    }

    private final long[] pages = new long[PageEncoding.values().length];
    private final long[] raw = new long[pages.length];
    private final long[] wire = new long[pages.length];

    synchronized void count(PageEncoding encoding, int pageSize, int wireBytes) {
        pages[encoding.ordinal()]++;
        raw[encoding.ordinal()] += pageSize;
        wire[encoding.ordinal()] += wireBytes;
    }

    /** The encodings that carried at least one page. */
    public synchronized List<Line> lines() {
        List<Line> lines = new ArrayList<>();
        for (PageEncoding e : PageEncoding.values()) {
            if (pages[e.ordinal()] > 0) lines.add(new Line(e, pages[e.ordinal()], raw[e.ordinal()], wire[e.ordinal()]));
        }
        return lines;
    }
}
