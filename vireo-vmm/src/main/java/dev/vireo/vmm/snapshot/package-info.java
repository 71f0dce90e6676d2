/**
 * A paused VM's complete state and its files: {@link dev.vireo.vmm.snapshot.MachineState} (what
 * live migration also carries), its versioned binary form with a CRC-32C per section
 * ({@link dev.vireo.vmm.snapshot.StateFile}), and snapshot directories with sparse guest memory
 * and a JSON manifest ({@link dev.vireo.vmm.snapshot.SnapshotDirectory}).
 */
package dev.vireo.vmm.snapshot;
