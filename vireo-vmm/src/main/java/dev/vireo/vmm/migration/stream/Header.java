package dev.vireo.vmm.migration.stream;

import dev.vireo.vmm.MigrationMode;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The first bytes of a migration stream, which the destination checks before the source
 * pauses anything: magic, stream version, mode, page size, vCPU count, memory size and the
 * page encodings the source may use. Fixed layout (40 bytes, big-endian) so that any version
 * can read another's version number and refuse it in words.
 */
public record Header(int version, MigrationMode mode, int pageSize, int vcpus, long memoryBytes, long features) {
    public static final int VERSION = 2;
    public static final int SIZE = 40;
    private static final byte[] MAGIC = "VIREOMIG".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(SIZE);
        b.put(MAGIC).putShort((short) version).put((byte) mode.ordinal()).put((byte) 0)
                .putInt(pageSize).putInt(vcpus).putLong(memoryBytes).putLong(features);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, SIZE - 4);
        b.putInt((int) crc.getValue());
        return b.array();
    }

    public static Header read(InputStream in) throws IOException {
        byte[] bytes = new byte[SIZE];
        try {
            new DataInputStream(in).readFully(bytes);
        } catch (EOFException e) {
            throw new StreamException("the stream ended inside its header");
        }
        return decode(bytes);
    }

    public static Header decode(byte[] bytes) throws StreamException {
        if (!Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new StreamException("not a Vireo migration stream (bad magic)");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, SIZE - 4);
        if ((int) crc.getValue() != b.getInt(SIZE - 4)) throw new StreamException("the stream header failed its CRC-32C check");
        b.position(MAGIC.length);
        int version = Short.toUnsignedInt(b.getShort());
        int mode = b.get();
        b.get();
        if (mode < 0 || mode >= MigrationMode.values().length) throw new StreamException("unknown migration mode " + mode);
        return new Header(version, MigrationMode.values()[mode], b.getInt(), b.getInt(), b.getLong(), b.getLong());
    }
}
