package dev.vireo.vmm.devices.virtio;

/** A ring or descriptor chain the driver wrote that the device cannot follow. */
final class VirtqueueException extends Exception {
    VirtqueueException(String message) {
        super(message);
    }
}
