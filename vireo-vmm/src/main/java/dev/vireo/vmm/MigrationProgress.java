package dev.vireo.vmm;

/** Told as a migration goes: the phase ("round 3", "stop-and-copy", "post-copy") and how much of it is done. */
@FunctionalInterface
public interface MigrationProgress {
    MigrationProgress NONE = (phase, done, total) -> { };

    /** {@code done} and {@code total} are bytes of guest memory (pages × page size); total -1 when unknown. */
    void update(String phase, long done, long total);
}
