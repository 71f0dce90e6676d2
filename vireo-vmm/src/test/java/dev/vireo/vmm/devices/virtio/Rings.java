package dev.vireo.vmm.devices.virtio;

import dev.vireo.vmm.memory.GuestMemory;
import dev.vireo.vmm.memory.MemoryRegion;

import java.lang.foreign.Arena;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

/** A driver's side of one split virtqueue, hand-built in 1 MiB of guest memory, for tests. */
final class Rings implements AutoCloseable {
    static final long DESC = 0x1000, AVAIL = 0x2000, USED = 0x3000, DATA = 0x10000, RAM = 1 << 20;

    final Arena arena = Arena.ofConfined();
    final GuestMemory memory = GuestMemory.of(List.of(new MemoryRegion(0, 0, arena.allocate(RAM, 4096), 0)));
    final int size;
    private int availIdx;

    Rings(int size) {
        this.size = size;
    }

    Virtqueue queue() {
        Virtqueue q = new Virtqueue(size);
        q.descAddress = DESC;
        q.driverAddress = AVAIL;
        q.deviceAddress = USED;
        q.ready = true;
        return q;
    }

    void descriptor(long table, int index, long address, int length, int flags, int next) {
        var d = memory.slice(table + 16L * index, 16);
        d.set(JAVA_LONG_UNALIGNED, 0, address);
        d.set(JAVA_INT_UNALIGNED, 8, length);
        d.set(JAVA_SHORT_UNALIGNED, 12, (short) flags);
        d.set(JAVA_SHORT_UNALIGNED, 14, (short) next);
    }

    void descriptor(int index, long address, int length, int flags, int next) {
        descriptor(DESC, index, address, length, flags, next);
    }

    /** Makes the chain at {@code head} available and publishes the new index. */
    void offer(int head) {
        memory.slice(AVAIL + 4 + 2L * (availIdx % size), 2).set(JAVA_SHORT_UNALIGNED, 0, (short) head);
        availIdx++;
        memory.slice(AVAIL + 2, 2).set(JAVA_SHORT_UNALIGNED, 0, (short) availIdx);
    }

    void availFlags(int flags) {
        memory.slice(AVAIL, 2).set(JAVA_SHORT_UNALIGNED, 0, (short) flags);
    }

    void availIndex(int index) {
        memory.slice(AVAIL + 2, 2).set(JAVA_SHORT_UNALIGNED, 0, (short) index);
    }

    int usedIndex() {
        return memory.slice(USED + 2, 2).get(JAVA_SHORT_UNALIGNED, 0) & 0xffff;
    }

    /** The used element {@code i}: head and bytes written. */
    long[] used(int i) {
        var e = memory.slice(USED + 4 + 8L * (i % size), 8);
        return new long[] {e.get(JAVA_INT_UNALIGNED, 0), e.get(JAVA_INT_UNALIGNED, 4)};
    }

    @Override
    public void close() {
        arena.close();
    }
}
