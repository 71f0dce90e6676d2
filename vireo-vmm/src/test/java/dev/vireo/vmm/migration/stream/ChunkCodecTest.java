package dev.vireo.vmm.migration.stream;

import dev.vireo.vmm.PageEncoding;
import dev.vireo.vmm.MigrationMode;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChunkCodecTest {
    static final List<Chunk> ALL = List.of(
            new Chunk.Accept(),
            new Chunk.Refuse("the destination has 64 MiB, the VM needs 128 MiB"),
            new Chunk.Pages(List.of(new PageEntry.ZeroRun(0, 7), new PageEntry.Data(7, PageEncoding.RAW, new byte[4096]),
                    new PageEntry.Data(9, PageEncoding.XBZRLE, new byte[] {0, 1, 5}), new PageEntry.Data(10, PageEncoding.LZ4, new byte[] {1, 2}))),
            new Chunk.RoundEnd(3, 1234),
            new Chunk.RoundLanded(3),
            new Chunk.MachineState(new byte[] {1, 2, 3, 4, 5}),
            new Chunk.GuestConfig("vireo-guest.elf", new byte[] {0x7f, 'E', 'L', 'F'}, "memtouch 16 4", 1L << 33),
            new Chunk.DiskData(new byte[] {9, 8, 7}),
            new Chunk.DiskEnd(new byte[32]),
            new Chunk.Complete(),
            new Chunk.PageRequest(0x12345),
            new Chunk.Running(1_500_000, 20_000),
            new Chunk.Abort("the destination's KVM refused the vCPU state"));

    @Test
    void headerRoundTripsAndIsFortyBytes() throws IOException {
        Header h = new Header(Header.VERSION, MigrationMode.POSTCOPY, 4096, 2, 256L << 20, 0b10111);
        byte[] bytes = h.encode();
        assertEquals(Header.SIZE, bytes.length);
        assertEquals(h, Header.read(new ByteArrayInputStream(bytes)));
    }

    @Test
    void headerWithBadMagicCorruptionOrCutIsRefused() {
        byte[] bytes = new Header(1, MigrationMode.PRECOPY, 4096, 1, 1 << 20, 1).encode();
        byte[] magic = bytes.clone();
        magic[0] = 'X';
        assertEquals("not a Vireo migration stream (bad magic)",
                assertThrows(StreamException.class, () -> Header.decode(magic)).getMessage());
        byte[] flipped = bytes.clone();
        flipped[20] ^= 1;
        assertEquals("the stream header failed its CRC-32C check",
                assertThrows(StreamException.class, () -> Header.decode(flipped)).getMessage());
        assertThrows(StreamException.class, () -> Header.read(new ByteArrayInputStream(Arrays.copyOf(bytes, 12))));
    }

    @Test
    void everyChunkRoundTripsThroughOneStream() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Chunk c : ALL) out.write(ChunkCodec.encode(c));
        InputStream in = new ByteArrayInputStream(out.toByteArray());
        for (Chunk c : ALL) {
            Chunk back = ChunkCodec.read(in);
            assertEquals(c.getClass(), back.getClass());
            assertArrayEquals(ChunkCodec.encode(c), ChunkCodec.encode(back), c.toString());
        }
        assertThrows(EOFException.class, () -> ChunkCodec.read(in), "a clean end between chunks");
    }

    @Test
    void aCorruptedChunkIsRefusedWhereverTheFlipIs() {
        byte[] frame = ChunkCodec.encode(ALL.get(2));
        for (int i = 0; i < frame.length; i += 97) {
            byte[] bad = frame.clone();
            bad[i] ^= 0x40;
            assertThrows(StreamException.class, () -> ChunkCodec.read(new ByteArrayInputStream(bad)), "flip at " + i);
        }
        byte[] bad = frame.clone();
        bad[100] ^= 1;
        assertEquals("a pages chunk failed its CRC-32C check: the stream is corrupted",
                assertThrows(StreamException.class, () -> ChunkCodec.read(new ByteArrayInputStream(bad))).getMessage());
    }

    @Test
    void aTruncatedStreamSaysTheConnectionWasCut() {
        byte[] frame = ChunkCodec.encode(ALL.get(2));
        for (int cut : new int[] {1, 4, 5, 200, frame.length - 1}) {
            StreamException e = assertThrows(StreamException.class,
                    () -> ChunkCodec.read(new ByteArrayInputStream(Arrays.copyOf(frame, cut))));
            assertEquals("the stream ended inside a chunk: the connection was cut", e.getMessage());
        }
    }

    @Test
    void anUnknownTypeOrHugeLengthIsRefused() {
        byte[] frame = ChunkCodec.encode(new Chunk.Running(0, 0));
        frame[0] = 99;
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(frame, 0, frame.length - 4);
        java.nio.ByteBuffer.wrap(frame).putInt(frame.length - 4, (int) crc.getValue());
        assertEquals("unknown chunk type 99",
                assertThrows(StreamException.class, () -> ChunkCodec.read(new ByteArrayInputStream(frame))).getMessage());
        byte[] huge = {3, 0x7f, 0, 0, 0};
        assertTrue(assertThrows(StreamException.class, () -> ChunkCodec.read(new ByteArrayInputStream(huge)))
                .getMessage().contains("claims"));
    }

    @Test
    void aZeroEncodedDataEntryIsMalformed() {
        byte[] frame = ChunkCodec.encode(new Chunk.Pages(List.of(new PageEntry.Data(1, PageEncoding.RAW, new byte[0]))));
        frame[5 + 4 + 1 + 8] = (byte) PageEncoding.ZERO.ordinal();
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(frame, 0, frame.length - 4);
        java.nio.ByteBuffer.wrap(frame).putInt(frame.length - 4, (int) crc.getValue());
        assertTrue(assertThrows(StreamException.class, () -> ChunkCodec.read(new ByteArrayInputStream(frame)))
                .getMessage().startsWith("a malformed pages chunk"));
    }
}
