package dev.vireo.vmm;

import dev.vireo.json.Json;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a migration did, as the source saw it: every round (pages sent, pages the guest dirtied
 * meanwhile, bytes on the wire, duration), the total time, the handshake's part of it (until the
 * destination accepted the VM, having built it), the downtime (from the source's
 * pause until the destination said it runs) and where it went, post-copy's page counts, and
 * what each page encoding saved. Renders as a table, as JSON and as an SVG plot of dirty pages per round.
 */
public record MigrationReport(MigrationMode mode, long memoryBytes, List<Round> rounds, long totalNanos, long handshakeNanos,
                              long downtimeNanos, long wireBytes, Postcopy postcopy, List<Encoding> encodings,
                              List<Phase> downtimePhases) {

    /** One round of copying; the last round of pre-copy and non-live runs with the VM paused. */
    public record Round(int number, long pagesSent, long pagesDirtied, long wireBytes, long nanos, boolean paused) {}

    /** Post-copy's pages by how they came: requested on a fault, sent along with one (prepaging), pushed. */
    public record Postcopy(long demandPages, long prepagedPages, long pushedPages) {
        public static final Postcopy NONE = new Postcopy(0, 0, 0);
    }

    /** One page encoding's totals: what it saved is raw bytes minus wire bytes. */
    public record Encoding(PageEncoding encoding, long pages, long rawBytes, long wireBytes) {
        public long savedBytes() {
            return rawBytes - wireBytes;
        }
    }

    /**
     * One stretch of the downtime, timed where it ran: the source's pause, last pages, state
     * capture and send, the destination's state restore and vCPU start (which it reports in its
     * {@code Running}), and the rest (the wire, the destination reading the stream).
     */
    public record Phase(String name, long nanos) {}

    public MigrationReport {
        rounds = List.copyOf(rounds);
        encodings = List.copyOf(encodings);
        downtimePhases = List.copyOf(downtimePhases);
    }

    /** The report {@link #json} wrote, parsed by {@code Json.parse}. */
    public static MigrationReport fromJson(Object j) {
        List<Round> rounds = new ArrayList<>();
        for (Object r : list(Json.at(j, "rounds"))) {
            rounds.add(new Round((int) num(r, "round"), num(r, "pages_sent"), num(r, "pages_dirtied"), num(r, "wire_bytes"),
                    nanos(decimal(r, "duration_ms")), Boolean.TRUE.equals(Json.at(r, "paused"))));
        }
        List<Encoding> encodings = new ArrayList<>();
        for (Object e : list(Json.at(j, "encodings"))) {
            encodings.add(new Encoding(PageEncoding.valueOf(String.valueOf(Json.at(e, "encoding")).toUpperCase(Locale.ROOT)),
                    num(e, "pages"), num(e, "raw_bytes"), num(e, "wire_bytes")));
        }
        List<Phase> phases = new ArrayList<>();
        for (Object ph : list(Json.at(j, "downtime_phases"))) {
            phases.add(new Phase(String.valueOf(Json.at(ph, "phase")), nanos(decimal(ph, "ms"))));
        }
        Object p = Json.at(j, "postcopy");
        return new MigrationReport(MigrationMode.parse(String.valueOf(Json.at(j, "mode"))), num(j, "memory_bytes"), rounds,
                nanos(decimal(j, "total_ms")), nanos(decimal(j, "handshake_ms")), nanos(decimal(j, "downtime_ms")), num(j, "wire_bytes"),
                new Postcopy(num(p, "demand_pages"), num(p, "prepaged_pages"), num(p, "pushed_pages")), encodings, phases);
    }

    private static List<?> list(Object value) {
        return value instanceof List<?> l ? l : List.of();
    }

    private static long num(Object tree, String key) {
        return Json.at(tree, key) instanceof Number n ? n.longValue() : 0;
    }

    private static double decimal(Object tree, String key) {
        return Json.at(tree, key) instanceof Number n ? n.doubleValue() : 0;
    }

    private static long nanos(double millis) {
        return Math.round(millis * 1e6);
    }

    /** Bytes per second over the whole migration. */
    public long bandwidth() {
        return totalNanos == 0 ? 0 : (long) (wireBytes / (totalNanos / 1e9));
    }

    public long pagesSent() {
        return rounds.stream().mapToLong(Round::pagesSent).sum() + postcopy.demandPages() + postcopy.prepagedPages()
                + postcopy.pushedPages();
    }

    public String table() {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "migration (%s) of %s: total %s (handshake %s), downtime %s, %s on the wire, %s/s%n",
                mode.label(), mib(memoryBytes), millis(totalNanos), millis(handshakeNanos), millis(downtimeNanos), mib(wireBytes),
                mib(bandwidth())));
        if (!downtimePhases.isEmpty()) {
            out.append("downtime: ").append(String.join(", ", downtimePhases.stream().map(ph -> ph.name() + " " + millis(ph.nanos()))
                    .toList())).append('\n');
        }
        if (!rounds.isEmpty()) {
            out.append(String.format(Locale.ROOT, "%-6s %12s %14s %12s %12s%n", "round", "pages sent", "pages dirtied", "wire", "duration"));
            for (Round r : rounds) {
                out.append(String.format(Locale.ROOT, "%-6s %12d %14d %12s %12s%n", r.number() + (r.paused() ? "*" : ""),
                        r.pagesSent(), r.pagesDirtied(), mib(r.wireBytes()), millis(r.nanos())));
            }
            if (rounds.stream().anyMatch(Round::paused)) out.append("* with the VM paused (stop-and-copy)\n");
        }
        if (mode == MigrationMode.POSTCOPY) {
            out.append(String.format(Locale.ROOT, "post-copy pages: %d demand-faulted, %d prepaged, %d pushed%n",
                    postcopy.demandPages(), postcopy.prepagedPages(), postcopy.pushedPages()));
        }
        if (!encodings.isEmpty()) {
            out.append(String.format(Locale.ROOT, "%-8s %10s %12s %12s %12s%n", "encoding", "pages", "raw", "wire", "saved"));
            for (Encoding e : encodings) {
                out.append(String.format(Locale.ROOT, "%-8s %10d %12s %12s %12s%n", e.encoding().label(), e.pages(),
                        mib(e.rawBytes()), mib(e.wireBytes()), mib(e.savedBytes())));
            }
        }
        return out.toString();
    }

    public String json() {
        StringBuilder out = new StringBuilder("{\"mode\":\"").append(mode.label()).append('"');
        out.append(",\"memory_bytes\":").append(memoryBytes).append(",\"total_ms\":").append(ms(totalNanos))
                .append(",\"handshake_ms\":").append(ms(handshakeNanos))
                .append(",\"downtime_ms\":").append(ms(downtimeNanos)).append(",\"wire_bytes\":").append(wireBytes)
                .append(",\"bandwidth_bytes_per_s\":").append(bandwidth()).append(",\"pages_sent\":").append(pagesSent())
                .append(",\"rounds\":[");
        for (int i = 0; i < rounds.size(); i++) {
            Round r = rounds.get(i);
            if (i > 0) out.append(',');
            out.append("{\"round\":").append(r.number()).append(",\"pages_sent\":").append(r.pagesSent())
                    .append(",\"pages_dirtied\":").append(r.pagesDirtied()).append(",\"wire_bytes\":").append(r.wireBytes())
                    .append(",\"duration_ms\":").append(ms(r.nanos())).append(",\"paused\":").append(r.paused()).append('}');
        }
        out.append("],\"downtime_phases\":[");
        for (int i = 0; i < downtimePhases.size(); i++) {
            Phase ph = downtimePhases.get(i);
            if (i > 0) out.append(',');
            out.append("{\"phase\":\"").append(ph.name()).append("\",\"ms\":").append(ms(ph.nanos())).append('}');
        }
        out.append("],\"postcopy\":{\"demand_pages\":").append(postcopy.demandPages()).append(",\"prepaged_pages\":")
                .append(postcopy.prepagedPages()).append(",\"pushed_pages\":").append(postcopy.pushedPages()).append("},\"encodings\":[");
        for (int i = 0; i < encodings.size(); i++) {
            Encoding e = encodings.get(i);
            if (i > 0) out.append(',');
            out.append("{\"encoding\":\"").append(e.encoding().label()).append("\",\"pages\":").append(e.pages())
                    .append(",\"raw_bytes\":").append(e.rawBytes()).append(",\"wire_bytes\":").append(e.wireBytes())
                    .append(",\"saved_bytes\":").append(e.savedBytes()).append('}');
        }
        return out.append("]}").toString();
    }

    /** A bar chart of pages sent and pages dirtied per round. */
    public String svg() {
        int width = 640, height = 360, left = 70, bottom = 40, top = 40;
        long max = Math.max(1, rounds.stream().mapToLong(r -> Math.max(r.pagesSent(), r.pagesDirtied())).max().orElse(1));
        int n = Math.max(1, rounds.size());
        double slot = (double) (width - left - 20) / n, bar = slot * 0.38;
        double plot = height - top - bottom;
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n",
                width, height));
        out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"20\" font-size=\"14\">%s migration of %s: pages per round "
                + "(downtime %s)</text>%n", left, mode.label(), mib(memoryBytes), millis(downtimeNanos)));
        out.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n",
                left, height - bottom, width - 10, height - bottom));
        out.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n",
                left, top, left, height - bottom));
        out.append(String.format(Locale.ROOT, "<text x=\"5\" y=\"%d\">%d</text><text x=\"5\" y=\"%d\">0</text>%n",
                top + 5, max, height - bottom));
        for (int i = 0; i < rounds.size(); i++) {
            Round r = rounds.get(i);
            double x = left + i * slot + slot * 0.1;
            double hs = plot * r.pagesSent() / max, hd = plot * r.pagesDirtied() / max;
            out.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>%n",
                    x, height - bottom - hs, bar, hs, r.paused() ? "#c0392b" : "#2e86c1"));
            out.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#f39c12\"/>%n",
                    x + bar, height - bottom - hd, bar, hd));
            out.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\">%d</text>%n", x + bar / 2, height - bottom + 15, r.number()));
        }
        out.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">round: <tspan fill=\"#2e86c1\">pages sent</tspan>, "
                + "<tspan fill=\"#c0392b\">sent paused</tspan>, <tspan fill=\"#f39c12\">pages dirtied meanwhile</tspan></text>%n",
                left, height - 8));
        return out.append("</svg>\n").toString();
    }

    private static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
    }

    private static String ms(long nanos) {
        return String.format(Locale.ROOT, "%.3f", nanos / 1e6);
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.2f MiB", bytes / 1048576.0);
    }
}
