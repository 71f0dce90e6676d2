package dev.vireo.vmm.devices.virtio;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;

import static dev.vireo.vmm.devices.virtio.Virtqueue.DESC_F_NEXT;
import static dev.vireo.vmm.devices.virtio.Virtqueue.DESC_F_WRITE;
import static dev.vireo.vmm.devices.virtio.VirtioBlock.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** Block requests parsed from hand-built chains against a real image file. */
class VirtioBlockTest {
    static final long HEADER_AT = Rings.DATA, DATA_AT = Rings.DATA + 0x1000, STATUS_AT = Rings.DATA + 0x3000;

    @TempDir
    Path dir;

    private Path image(int sectors) throws IOException {
        Path file = dir.resolve("disk.img");
        byte[] bytes = new byte[sectors * SECTOR];
        for (int i = 0; i < bytes.length; i++) bytes[i] = (byte) (i / SECTOR);
        Files.write(file, bytes);
        return file;
    }

    /** Runs one request of {@code type} at {@code sector} with a data buffer of {@code length}; returns the status byte. */
    private static int request(VirtioBlock blk, Rings r, Virtqueue q, int type, long sector, int length, boolean dataWritable) throws Exception {
        r.memory.write(HEADER_AT, ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN).putInt(type).putInt(0)
                .putLong(sector).array());
        r.memory.write(STATUS_AT, new byte[] {(byte) 0xff});
        r.descriptor(0, HEADER_AT, HEADER, DESC_F_NEXT, 1);
        if (length > 0) {
            r.descriptor(1, DATA_AT, length, DESC_F_NEXT | (dataWritable ? DESC_F_WRITE : 0), 2);
            r.descriptor(2, STATUS_AT, 1, DESC_F_WRITE, 0);
        } else {
            r.descriptor(1, STATUS_AT, 1, DESC_F_WRITE, 0);
        }
        r.offer(0);
        Chain c = q.pop(r.memory);
        q.push(r.memory, c.head(), blk.handle(0, c, r.memory));
        return r.memory.read(STATUS_AT, 1)[0] & 0xff;
    }

    @Test
    void readsWritesFlushesAndIdentifies() throws Exception {
        try (Rings r = new Rings(64); VirtioBlock blk = VirtioBlock.open(image(8))) {
            Virtqueue q = r.queue();
            assertEquals(8, ByteBuffer.wrap(blk.config()).order(ByteOrder.LITTLE_ENDIAN).getLong(0), "capacity in sectors");
            assertEquals(S_OK, request(blk, r, q, T_IN, 2, 1024, true));
            byte[] read = r.memory.read(DATA_AT, 1024);
            assertEquals(2, read[0]);
            assertEquals(3, read[1023]);

            byte[] pattern = new byte[SECTOR];
            Arrays.fill(pattern, (byte) 0x5a);
            r.memory.write(DATA_AT, pattern);
            assertEquals(S_OK, request(blk, r, q, T_OUT, 7, SECTOR, false));
            assertEquals(S_OK, request(blk, r, q, T_FLUSH, 0, 0, false));
            assertEquals(S_OK, request(blk, r, q, T_IN, 7, SECTOR, true));
            assertArrayEquals(pattern, r.memory.read(DATA_AT, SECTOR));

            assertEquals(S_OK, request(blk, r, q, T_GET_ID, 0, ID_BYTES, true));
            assertEquals("disk.img", new String(r.memory.read(DATA_AT, 8)));
        }
    }

    @Test
    void answersBadRequestsInTheStatusByte() throws Exception {
        try (Rings r = new Rings(64); VirtioBlock blk = VirtioBlock.open(image(8))) {
            Virtqueue q = r.queue();
            assertEquals(S_IOERR, request(blk, r, q, T_IN, 8, SECTOR, true), "past the end");
            assertEquals(S_IOERR, request(blk, r, q, T_IN, 7, 2 * SECTOR, true), "runs past the end");
            assertEquals(S_IOERR, request(blk, r, q, T_IN, Long.MAX_VALUE, SECTOR, true), "absurd sector");
            assertEquals(S_IOERR, request(blk, r, q, T_OUT, 0, 100, false), "not whole sectors");
            assertEquals(S_UNSUPP, request(blk, r, q, 99, 0, 0, false), "unknown type");
        }
    }

    @Test
    void aFileTheVmmMayNotWriteBecomesAReadOnlyDisk() throws Exception {
        assumeFalse("root".equals(System.getProperty("user.name")), "root may write any file");
        Path file = image(8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--r--r--"));
        try (Rings r = new Rings(64); VirtioBlock blk = VirtioBlock.open(file)) {
            Virtqueue q = r.queue();
            assertEquals(F_RO, blk.features() & F_RO);
            assertEquals(S_IOERR, request(blk, r, q, T_OUT, 0, SECTOR, false));
            assertEquals(S_OK, request(blk, r, q, T_IN, 0, SECTOR, true));
        }
    }

    @Test
    void refusesFilesThatAreNoDisk() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> VirtioBlock.open(dir.resolve("missing.img")));
        assertThrows(IllegalArgumentException.class, () -> VirtioBlock.open(dir));
        Path odd = dir.resolve("odd.img");
        Files.write(odd, new byte[100]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VirtioBlock.open(odd));
        assertEquals("disk " + odd + " is 100 bytes, not a whole number of 512-byte sectors", e.getMessage());
    }
}
