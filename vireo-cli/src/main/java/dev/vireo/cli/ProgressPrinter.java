package dev.vireo.cli;

import dev.vireo.image.Progress;

import java.io.PrintStream;

/**
 * Progress of a long operation on stderr: in a terminal one line rewritten in place, elsewhere
 * (logs, CI) one line per finished item, so output stays readable both ways.
 */
final class ProgressPrinter implements Progress {
    private final boolean quiet;
    private final boolean terminal = System.console() != null;
    private final PrintStream err = System.err;
    private boolean open;

    ProgressPrinter(boolean quiet) {
        this.quiet = quiet;
    }

    @Override
    public synchronized void update(String item, String action, long done, long total) {
        if (quiet) return;
        boolean finished = total >= 0 && done == total;
        String amount = total > 0 ? Sizes.human(done) + "/" + Sizes.human(total) : Sizes.human(done);
        String line = String.format("%-12s %-10s %s", item, action, amount);
        if (terminal) {
            err.print("\r\033[K" + line);
            open = true;
            if (finished) {
                err.println();
                open = false;
            }
        } else if (finished) {
            err.println(line);
        }
        err.flush();
    }

    synchronized void done() {
        if (open) err.println();
        open = false;
    }
}
