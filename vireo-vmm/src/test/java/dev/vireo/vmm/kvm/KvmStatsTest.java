package dev.vireo.vmm.kvm;

import dev.vireo.sys.FileIo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The binary statistics format (struct kvm_stats_header, kvm_stats_desc) read from a file laid out as KVM lays it out. */
class KvmStatsTest {
    private static final int NAME_SIZE = 48;

    /** A statistics file with the named u64 counters, in order. */
    private static Path statsFile(Path dir, String[] names, long[] values) throws Exception {
        int descOffset = 24 + NAME_SIZE, descSize = 16 + NAME_SIZE;
        int dataOffset = descOffset + names.length * descSize;
        ByteBuffer b = ByteBuffer.allocate(dataOffset + 8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0).putInt(NAME_SIZE).putInt(names.length).putInt(24).putInt(descOffset).putInt(dataOffset);
        b.put("kvm-1234/vcpu_0".getBytes(StandardCharsets.US_ASCII)).position(descOffset);
        for (int i = 0; i < names.length; i++) {
            b.position(descOffset + i * descSize);
            b.putInt(0).putShort((short) 0).putShort((short) 1).putInt(8 * i).putInt(0);
            b.put(names[i].getBytes(StandardCharsets.US_ASCII));
        }
        b.position(dataOffset);
        for (long v : values) b.putLong(v);
        return Files.write(dir.resolve("stats"), b.array());
    }

    @Test
    void findsTheExitsCounterAmongTheDescriptors(@TempDir Path dir) throws Exception {
        Path file = statsFile(dir, new String[] {"halt_exits", "exits", "io_exits"}, new long[] {7, 123456789012L, 9});
        try (KvmStats stats = KvmStats.open(FileIo.open(file.toString(), FileIo.O_RDONLY))) {
            assertEquals(123456789012L, stats.exits());
        }
    }

    @Test
    void withoutAnExitsCounterThereIsNothing(@TempDir Path dir) throws Exception {
        Path file = statsFile(dir, new String[] {"halt_exits"}, new long[] {7});
        assertNull(KvmStats.open(FileIo.open(file.toString(), FileIo.O_RDONLY)));
    }
}
