package dev.vireo.vmm.kvm;

import dev.vireo.sys.Fd;
import dev.vireo.sys.FileIo;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * KVM's binary statistics of one vCPU (KVM_GET_STATS_FD, Linux 5.14+): a header
 * ({@code struct kvm_stats_header}: flags, name_size, num_desc, id_offset, desc_offset,
 * data_offset, six u32), descriptors ({@code struct kvm_stats_desc}: u32 flags, s16 exponent,
 * u16 size, u32 offset, u32 bucket_size, then name_size bytes of name) and the u64 values, all
 * read with pread. KVM counts here what never reaches the VMM too, such as exits it handles
 * itself (an ioeventfd write, HLT, a LAPIC access).
 */
public final class KvmStats implements AutoCloseable {
    private static final int HEADER = 24, DESC = 16;

    private final Fd fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment value = arena.allocate(JAVA_LONG);
    private final long exitsOffset;

    private KvmStats(Fd fd, long exitsOffset) {
        this.fd = fd;
        this.exitsOffset = exitsOffset;
    }

    /** Parses the descriptors of the statistics file {@code fd} (which it then owns); null when it has no "exits" counter. */
    static KvmStats open(Fd fd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment header = a.allocate(HEADER, 8);
            FileIo.pread(fd, header, 0);
            int nameSize = header.get(JAVA_INT, 4), count = header.get(JAVA_INT, 8);
            long descOffset = header.get(JAVA_INT, 16) & 0xffff_ffffL, dataOffset = header.get(JAVA_INT, 20) & 0xffff_ffffL;
            MemorySegment descs = a.allocate((long) count * (DESC + nameSize), 8);
            FileIo.pread(fd, descs, descOffset);
            for (int i = 0; i < count; i++) {
                MemorySegment d = descs.asSlice((long) i * (DESC + nameSize), DESC + nameSize);
                if (name(d, nameSize).equals("exits") && d.get(JAVA_SHORT, 6) >= 1) {
                    return new KvmStats(fd, dataOffset + (d.get(JAVA_INT, 8) & 0xffff_ffffL));
                }
            }
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
        fd.close();
        return null;
    }

    private static String name(MemorySegment desc, int nameSize) {
        byte[] bytes = desc.asSlice(DESC, nameSize).toArray(JAVA_BYTE);
        int end = 0;
        while (end < bytes.length && bytes[end] != 0) end++;
        return new String(bytes, 0, end, StandardCharsets.US_ASCII);
    }

    /** Every VM exit of this vCPU so far, handled by KVM or passed on to the VMM. */
    public synchronized long exits() {
        FileIo.pread(fd, value, exitsOffset);
        return value.get(JAVA_LONG, 0);
    }

    @Override
    public synchronized void close() {
        fd.close();
        arena.close();
    }
}
