package dev.vireo.cli;

import dev.vireo.oci.Digest;
import dev.vireo.registry.TransferProgress;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Shows a push or pull as Docker does, one line per blob. On a terminal the lines are redrawn
 * in place as bytes move; otherwise each blob prints a line when it finishes or retries.
 */
final class TransferDisplay implements TransferProgress, AutoCloseable {
    private final PrintStream out;
    private final boolean terminal;
    private final boolean push;
    private final Map<Digest, Line> lines = new LinkedHashMap<>();
    private int drawn;
    private long lastDraw;

    private record Line(State state, long done, long total) {}

    TransferDisplay(PrintStream out, boolean push) {
        this.out = out;
        this.push = push;
        this.terminal = System.console() != null && System.console().isTerminal();
    }

    @Override
    public synchronized void update(Digest digest, State state, long done, long total) {
        Line previous = lines.put(digest, new Line(state, done, total));
        if (terminal) {
            long now = System.nanoTime();
            boolean changed = previous == null || previous.state() != state;
            if (changed || now - lastDraw > 100_000_000L) {
                lastDraw = now;
                redraw();
            }
        } else if ((previous == null || previous.state() != state) && (state != State.WAITING && state != State.UPLOADING
                && state != State.DOWNLOADING && state != State.VERIFYING)) {
            out.println(format(digest, lines.get(digest)));
        }
    }

    private void redraw() {
        if (drawn > 0) out.print("\033[" + drawn + "F");
        for (Map.Entry<Digest, Line> entry : lines.entrySet()) out.print("\033[2K" + format(entry.getKey(), entry.getValue()) + "\n");
        drawn = lines.size();
        out.flush();
    }

    private String format(Digest digest, Line line) {
        String id = digest.encoded().substring(0, 12);
        return id + ": " + switch (line.state()) {
            case WAITING -> "Waiting";
            case EXISTS -> push ? "Layer already exists" : "Already exists";
            case MOUNTED -> "Mounted from another repository";
            case UPLOADING -> "Pushing " + bar(line);
            case DOWNLOADING -> "Downloading " + bar(line);
            case RETRYING -> "Retrying from " + size(line.done());
            case VERIFYING -> "Verifying checksum";
            case DONE -> (push ? "Pushed " : "Pull complete ") + size(line.total());
        };
    }

    private static String bar(Line line) {
        int width = 30;
        int filled = line.total() <= 0 ? 0 : (int) Math.min(width, line.done() * width / line.total());
        return "[" + "=".repeat(Math.max(0, filled - 1)) + (filled > 0 ? ">" : "") + " ".repeat(width - filled) + "] "
                + size(line.done()) + "/" + size(line.total());
    }

    static String size(long bytes) {
        if (bytes < 1024) return bytes + " B";
        if (bytes < 1024 * 1024) return String.format("%.1f KiB", bytes / 1024.0);
        if (bytes < 1024L * 1024 * 1024) return String.format("%.1f MiB", bytes / (1024.0 * 1024));
        return String.format("%.2f GiB", bytes / (1024.0 * 1024 * 1024));
    }

    @Override
    public synchronized void close() {
        if (terminal) redraw();
        out.flush();
    }
}
