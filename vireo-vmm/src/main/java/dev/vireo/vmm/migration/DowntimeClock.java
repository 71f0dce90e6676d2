package dev.vireo.vmm.migration;

import dev.vireo.vmm.MigrationReport;
import dev.vireo.vmm.migration.stream.Chunk;

import java.util.ArrayList;
import java.util.List;

/**
 * Times the downtime as it passes on the source: it starts once the VM is paused, each
 * {@link #mark} ends one stretch, and the destination's {@code Running} ends it with the
 * destination's own restore and start times; what is left is the wire and the destination
 * reading the stream.
 */
final class DowntimeClock {
    private final long pausedAt;
    private final List<MigrationReport.Phase> phases = new ArrayList<>();
    private long last;

    DowntimeClock(long pausedAt) {
        this.pausedAt = pausedAt;
        this.last = pausedAt;
    }

    long pausedAt() {
        return pausedAt;
    }

    void mark(String phase) {
        long now = System.nanoTime();
        phases.add(new MigrationReport.Phase(phase, now - last));
        last = now;
    }

    /** The stretches from the pause until {@code runningAt}, when the destination's {@code running} arrived. */
    List<MigrationReport.Phase> phases(long runningAt, Chunk.Running running) {
        List<MigrationReport.Phase> all = new ArrayList<>(phases);
        all.add(new MigrationReport.Phase("destination restore", running.restoreNanos()));
        all.add(new MigrationReport.Phase("destination start", running.startNanos()));
        long rest = runningAt - last - running.restoreNanos() - running.startNanos();
        all.add(new MigrationReport.Phase("wire and reading", Math.max(0, rest)));
        return all;
    }
}
