package dev.vireo.vmm;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@link ExitStatistics} for people (a table) and for programs (JSON), shared by the CLI and
 * any control surface that reports exits.
 */
public final class StatisticsReport {
    private StatisticsReport() {}

    /** The counters as aligned tables: by reason, by I/O port, by MMIO page. */
    public static String table(ExitStatistics s) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "VM exits: %d, handled in %s of VMM time; the guest ran %s inside KVM_RUN; %d unclaimed accesses%n",
                s.exits(), millis(s.vmmNanos()), millis(s.guestNanos()), s.unclaimedAccesses()));
        out.append(String.format(Locale.ROOT, "%n  %-18s %12s %7s %12s %10s%n", "exit reason", "exits", "share", "VMM time", "avg/exit"));
        for (ExitStatistics.Reason r : s.reasons()) {
            out.append(String.format(Locale.ROOT, "  %-18s %12d %6.1f%% %12s %10s%n", r.name(), r.count(),
                    s.exits() == 0 ? 0.0 : 100.0 * r.count() / s.exits(), millis(r.vmmNanos()), average(r.vmmNanos(), r.count())));
        }
        if (!s.ports().isEmpty()) {
            out.append(String.format(Locale.ROOT, "%n  %-8s %-12s %12s %12s %12s %10s%n", "port", "device", "reads", "writes", "VMM time", "avg/exit"));
            for (ExitStatistics.Port p : s.ports()) {
                out.append(String.format(Locale.ROOT, "  0x%-6x %-12s %12d %12d %12s %10s%n", p.port(), device(p.device()),
                        p.reads(), p.writes(), millis(p.vmmNanos()), average(p.vmmNanos(), p.exits())));
            }
        }
        if (!s.mmioPages().isEmpty()) {
            out.append(String.format(Locale.ROOT, "%n  %-18s %-12s %12s %12s %12s%n", "MMIO page", "device", "reads", "writes", "VMM time"));
            for (ExitStatistics.MmioPage p : s.mmioPages()) {
                out.append(String.format(Locale.ROOT, "  0x%-16x %-12s %12d %12d %12s%n", p.address(), device(p.device()),
                        p.reads(), p.writes(), millis(p.vmmNanos())));
            }
        }
        return out.toString();
    }

    /** One JSON object: totals, {@code reasons}, {@code ports} and {@code mmio_pages}. */
    public static String json(ExitStatistics s) {
        StringBuilder out = new StringBuilder("{");
        field(out, "exits", s.exits()).append(',');
        field(out, "vmm_ns", s.vmmNanos()).append(',');
        field(out, "guest_ns", s.guestNanos()).append(',');
        field(out, "unclaimed_accesses", s.unclaimedAccesses()).append(",\"reasons\":[");
        List<ExitStatistics.Reason> reasons = s.reasons();
        for (int i = 0; i < reasons.size(); i++) {
            ExitStatistics.Reason r = reasons.get(i);
            out.append(i == 0 ? "{" : ",{");
            string(out.append("\"name\":"), r.name()).append(',');
            field(out, "exits", r.count()).append(',');
            field(out, "vmm_ns", r.vmmNanos()).append('}');
        }
        out.append("],\"ports\":[");
        List<ExitStatistics.Port> ports = s.ports();
        for (int i = 0; i < ports.size(); i++) {
            ExitStatistics.Port p = ports.get(i);
            out.append(i == 0 ? "{" : ",{");
            field(out, "port", p.port()).append(',');
            device(out, p.device());
            field(out, "reads", p.reads()).append(',');
            field(out, "writes", p.writes()).append(',');
            field(out, "vmm_ns", p.vmmNanos()).append('}');
        }
        out.append("],\"mmio_pages\":[");
        List<ExitStatistics.MmioPage> pages = s.mmioPages();
        for (int i = 0; i < pages.size(); i++) {
            ExitStatistics.MmioPage p = pages.get(i);
            out.append(i == 0 ? "{" : ",{");
            field(out, "address", p.address()).append(',');
            device(out, p.device());
            field(out, "reads", p.reads()).append(',');
            field(out, "writes", p.writes()).append(',');
            field(out, "vmm_ns", p.vmmNanos()).append('}');
        }
        return out.append("]}").toString();
    }

    /** A RESULT line's {@code key=value} pairs as a JSON object of strings. */
    public static String resultJson(Map<String, String> result) {
        StringBuilder out = new StringBuilder("{");
        boolean first = true;
        for (Map.Entry<String, String> e : result.entrySet()) {
            if (!first) out.append(',');
            first = false;
            string(out, e.getKey()).append(':');
            string(out, e.getValue());
        }
        return out.append('}').toString();
    }

    /** Appends {@code text} as a JSON string. */
    public static StringBuilder string(StringBuilder out, String text) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
                    else out.append(c);
                }
            }
        }
        return out.append('"');
    }

    private static StringBuilder field(StringBuilder out, String name, long value) {
        return out.append('"').append(name).append("\":").append(value);
    }

    private static void device(StringBuilder out, String device) {
        out.append("\"device\":");
        if (device == null) out.append("null");
        else string(out, device);
        out.append(',');
    }

    private static String device(String name) {
        return name == null ? "(unclaimed)" : name;
    }

    private static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.3f ms", nanos / 1e6);
    }

    private static String average(long nanos, long count) {
        return count == 0 ? "-" : String.format(Locale.ROOT, "%d ns", nanos / count);
    }
}
