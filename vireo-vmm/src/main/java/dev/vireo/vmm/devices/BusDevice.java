package dev.vireo.vmm.devices;

/**
 * A device on the port-I/O or MMIO bus. Accesses carry the offset from the start of the
 * device's range and a little-endian value of 1, 2, 4 or 8 bytes; primitives, so that the
 * exit path allocates nothing.
 */
public interface BusDevice {
    /** A short name for statistics and logs, such as {@code "uart0"}. */
    String name();

    long read(long offset, int size);

    void write(long offset, int size, long value);
}
