package dev.vireo.vmm.devices.virtio;

import dev.vireo.vmm.memory.GuestMemory;

import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

/**
 * A split virtqueue (virtio 1.x section 2.7): the descriptor table, the available ring the
 * driver fills and the used ring the device fills, all in guest memory at the addresses the
 * driver wrote to the transport. Everything read from the rings is checked before use: a
 * chain that leaves guest RAM, loops, exceeds the queue size, nests indirect tables or puts a
 * readable buffer after a writable one is a {@link VirtqueueException}, never a wrong access.
 * Not thread-safe: its transport serialises access.
 */
final class Virtqueue {
    static final int DESC_F_NEXT = 1, DESC_F_WRITE = 2, DESC_F_INDIRECT = 4;
    static final int AVAIL_F_NO_INTERRUPT = 1;
    static final int DESC_SIZE = 16;

    final int maxSize;
    int size;
    boolean ready;
    long descAddress, driverAddress, deviceAddress;
    private int nextAvail, nextUsed; // free-running 16-bit indices

    Virtqueue(int maxSize) {
        this.maxSize = maxSize;
        this.size = maxSize;
    }

    void reset() {
        size = maxSize;
        ready = false;
        descAddress = driverAddress = deviceAddress = 0;
        nextAvail = nextUsed = 0;
    }

    int nextAvail() {
        return nextAvail;
    }

    int nextUsed() {
        return nextUsed;
    }

    /** Sets the indices a snapshot saved. */
    void restoreIndices(int nextAvail, int nextUsed) {
        this.nextAvail = nextAvail & 0xffff;
        this.nextUsed = nextUsed & 0xffff;
    }

    /** Why the driver's queue configuration cannot be used, or null when it can. */
    String checkLayout(GuestMemory memory) {
        if (size == 0 || size > maxSize || (size & (size - 1)) != 0) {
            return "queue size " + size + " is not a power of two up to " + maxSize;
        }
        if (descAddress % 16 != 0 || driverAddress % 2 != 0 || deviceAddress % 4 != 0) {
            return "a ring is misaligned (descriptors 16, available 2, used 4 bytes)";
        }
        if (!memory.contains(descAddress, (long) DESC_SIZE * size) || !memory.contains(driverAddress, 6 + 2L * size)
                || !memory.contains(deviceAddress, 6 + 8L * size)) {
            return "a ring lies outside guest RAM";
        }
        return null;
    }

    /** The next available chain, or null when the driver made none available. */
    Chain pop(GuestMemory memory) throws VirtqueueException {
        int availIdx = memory.slice(driverAddress + 2, 2).get(JAVA_SHORT_UNALIGNED, 0) & 0xffff;
        int pending = (availIdx - nextAvail) & 0xffff;
        if (pending == 0) return null;
        if (pending > size) {
            throw new VirtqueueException("the available index runs " + pending + " entries ahead of a queue of " + size);
        }
        VarHandle.acquireFence(); // ring entries after the index the driver published
        long slot = driverAddress + 4 + 2L * (nextAvail % size);
        int head = memory.slice(slot, 2).get(JAVA_SHORT_UNALIGNED, 0) & 0xffff;
        nextAvail = (nextAvail + 1) & 0xffff;
        return new Chain(head, walk(memory, head));
    }

    private List<Chain.Buffer> walk(GuestMemory memory, int head) throws VirtqueueException {
        List<Chain.Buffer> buffers = new ArrayList<>();
        long table = descAddress;
        int entries = size, index = head, seen = 0;
        boolean indirect = false, writable = false;
        while (true) {
            if (index >= entries) {
                throw new VirtqueueException("descriptor index " + index + " is outside a table of " + entries);
            }
            if (++seen > entries) {
                throw new VirtqueueException("the chain from descriptor " + head + " is longer than its table of "
                        + entries + " (a loop?)");
            }
            var d = memory.slice(table + (long) DESC_SIZE * index, DESC_SIZE);
            long address = d.get(JAVA_LONG_UNALIGNED, 0);
            long length = d.get(JAVA_INT_UNALIGNED, 8) & 0xffff_ffffL;
            int flags = d.get(JAVA_SHORT_UNALIGNED, 12) & 0xffff;
            int next = d.get(JAVA_SHORT_UNALIGNED, 14) & 0xffff;
            if ((flags & DESC_F_INDIRECT) != 0) {
                if (indirect) throw new VirtqueueException("an indirect table points to another indirect table");
                if ((flags & DESC_F_NEXT) != 0) throw new VirtqueueException("an indirect descriptor also has NEXT");
                if (length == 0 || length % DESC_SIZE != 0 || length / DESC_SIZE > 0x10000
                        || !memory.contains(address, length)) {
                    throw new VirtqueueException(String.format("indirect table 0x%x+0x%x is not a table in guest RAM",
                            address, length));
                }
                indirect = true;
                table = address;
                entries = (int) (length / DESC_SIZE);
                index = 0;
                seen = 0;
                continue;
            }
            if (!memory.contains(address, length)) {
                throw new VirtqueueException(String.format("descriptor %d's buffer 0x%x+0x%x is outside guest RAM",
                        index, address, length));
            }
            boolean write = (flags & DESC_F_WRITE) != 0;
            if (writable && !write) throw new VirtqueueException("a device-readable buffer follows a writable one");
            writable = write;
            buffers.add(new Chain.Buffer(address, (int) length, write));
            if ((flags & DESC_F_NEXT) == 0) return buffers;
            index = next;
        }
    }

    /** Returns a chain to the driver: {@code written} bytes of its writable buffers hold data. */
    void push(GuestMemory memory, int head, int written) {
        long element = deviceAddress + 4 + 8L * (nextUsed % size);
        var e = memory.slice(element, 8);
        e.set(JAVA_INT_UNALIGNED, 0, head);
        e.set(JAVA_INT_UNALIGNED, 4, written);
        nextUsed = (nextUsed + 1) & 0xffff;
        VarHandle.releaseFence(); // the element before the index that publishes it
        memory.slice(deviceAddress + 2, 2).set(JAVA_SHORT_UNALIGNED, 0, (short) nextUsed);
    }

    /** Whether the driver asked for no interrupts (it polls the used ring). */
    boolean interruptSuppressed(GuestMemory memory) {
        return (memory.slice(driverAddress, 2).get(JAVA_SHORT_UNALIGNED, 0) & AVAIL_F_NO_INTERRUPT) != 0;
    }
}
