package dev.vireo.vmm;

import java.io.IOException;

/**
 * What a control surface may do with a running VM: send it {@link VmmAction}s, read its state
 * and its exit counters. {@link VirtualMachine} is the real one; {@link ApiServer} serves any.
 */
public interface VmControl {
    /**
     * Handles one request; returns the state it leaves the VM in. A request the VM's state does
     * not allow (a snapshot of a running VM) is an {@link IllegalStateException}; bad input
     * (a snapshot path that exists) an {@link IllegalArgumentException} or a
     * {@link java.nio.file.FileAlreadyExistsException}.
     */
    VmState handle(VmmAction action) throws InterruptedException, IOException;

    VmState state();

    ExitStatistics statistics();

    /**
     * Migrates the VM to the {@code vireo vm receive} at {@code host:port}; on success the VM runs
     * there and has stopped here. A {@link MigrationException} says where it is instead.
     */
    MigrationReport migrate(String host, int port, MigrationOptions options, MigrationProgress progress)
            throws MigrationException, InterruptedException;
}
