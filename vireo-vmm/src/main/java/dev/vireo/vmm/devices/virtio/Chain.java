package dev.vireo.vmm.devices.virtio;

import dev.vireo.vmm.memory.GuestMemory;

import java.lang.foreign.MemorySegment;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * One request the driver made available: the head descriptor's index and its buffers in chain
 * order, device-readable ones first (the spec requires it; {@link Virtqueue} checks it). Every
 * buffer was checked to lie in guest RAM.
 */
record Chain(int head, List<Buffer> buffers) {
    /** One descriptor's guest-physical buffer. */
    record Buffer(long address, int length, boolean writable) {}

    Chain {
        buffers = List.copyOf(buffers);
    }

    int readableBytes() {
        return buffers.stream().filter(b -> !b.writable()).mapToInt(Buffer::length).sum();
    }

    int writableBytes() {
        return buffers.stream().filter(Buffer::writable).mapToInt(Buffer::length).sum();
    }

    /** Copies readable bytes {@code [from, from + into.length)} of the chain into {@code into}. */
    void read(GuestMemory memory, long from, byte[] into) {
        forEach(memory, false, from, into.length, (segment, done) ->
                MemorySegment.copy(segment, JAVA_BYTE, 0, into, done, (int) segment.byteSize()));
    }

    /** Copies {@code bytes} into the writable part of the chain from writable offset {@code from}. */
    void write(GuestMemory memory, long from, byte[] bytes) {
        forEach(memory, true, from, bytes.length, (segment, done) ->
                MemorySegment.copy(bytes, done, segment, JAVA_BYTE, 0, (int) segment.byteSize()));
    }

    /** What to do with one piece of guest memory; {@code done} is the bytes handled before it. */
    interface Piece {
        void accept(MemorySegment segment, int done);
    }

    /**
     * Calls {@code piece} for the guest memory behind {@code [from, from + length)} of the
     * readable or the writable bytes, in chain order; the range must lie inside them.
     */
    void forEach(GuestMemory memory, boolean writable, long from, long length, Piece piece) {
        long skip = from;
        int done = 0;
        for (Buffer b : buffers) {
            if (b.writable() != writable || done == length) continue;
            if (skip >= b.length()) {
                skip -= b.length();
                continue;
            }
            int n = (int) Math.min(b.length() - skip, length - done);
            piece.accept(memory.slice(b.address() + skip, n), done);
            done += n;
            skip = 0;
        }
        if (done != length) throw new IllegalArgumentException("the chain has fewer bytes than asked for");
    }
}
