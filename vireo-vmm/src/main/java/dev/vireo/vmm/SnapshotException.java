package dev.vireo.vmm;

/**
 * A snapshot cannot be used: its directory is incomplete, from another format version, damaged
 * (a checksum does not match), or describes a VM this host cannot rebuild. Bad input: the
 * message names the snapshot and what is wrong, and nothing has been started.
 */
public class SnapshotException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public SnapshotException(String message) {
        super(message);
    }
}
