package dev.vireo.vmm.devices.virtio;

import dev.vireo.vmm.memory.GuestMemory;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * virtio-blk (section 5.2) backed by a raw image file: IN, OUT, FLUSH and GET_ID. Each request
 * is a 16-byte header (type, reserved, sector), the data, and a status byte the device writes
 * last. A request that is malformed, out of range or of an unknown type is answered with
 * IOERR or UNSUPP in that status byte; a file the VMM may only read becomes a read-only disk
 * (VIRTIO_BLK_F_RO) whose writes answer IOERR.
 */
final class VirtioBlock implements VirtioDevice {
    static final int T_IN = 0, T_OUT = 1, T_FLUSH = 4, T_GET_ID = 8;
    static final int S_OK = 0, S_IOERR = 1, S_UNSUPP = 2;
    static final long F_RO = 1L << 5, F_FLUSH = 1L << 9;
    static final int SECTOR = 512, HEADER = 16, ID_BYTES = 20;

    private final FileChannel file;
    private final boolean readOnly;
    private final long sectors;
    private final byte[] id;

    private VirtioBlock(FileChannel file, boolean readOnly, long sectors, String id) {
        this.file = file;
        this.readOnly = readOnly;
        this.sectors = sectors;
        this.id = id.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Opens {@code image}: read-write when the VMM may write it, else read-only. A missing file,
     * a directory or one whose size is not whole sectors is an {@link IllegalArgumentException}
     * naming the problem.
     */
    static VirtioBlock open(Path image) {
        if (Files.isDirectory(image)) throw new IllegalArgumentException("disk " + image + " is a directory, not a raw image");
        boolean readOnly = !Files.isWritable(image);
        try {
            FileChannel channel = readOnly ? FileChannel.open(image, StandardOpenOption.READ)
                    : FileChannel.open(image, StandardOpenOption.READ, StandardOpenOption.WRITE);
            long size = channel.size();
            if (size % SECTOR != 0) {
                channel.close();
                throw new IllegalArgumentException("disk " + image + " is " + size + " bytes, not a whole number of 512-byte sectors");
            }
            String name = image.getFileName() == null ? "disk" : image.getFileName().toString();
            return new VirtioBlock(channel, readOnly, size / SECTOR, name.length() > ID_BYTES ? name.substring(0, ID_BYTES) : name);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("disk " + image + ": no such file");
        } catch (AccessDeniedException e) {
            throw new IllegalArgumentException("disk " + image + ": permission denied");
        } catch (IOException e) {
            throw new IllegalArgumentException("disk " + image + ": " + e.getMessage());
        }
    }

    /** A disk of {@code bytes} zeros in a file that is already unlinked: it vanishes with the VM. */
    static VirtioBlock scratch(long bytes) {
        try {
            Path file = Files.createTempFile("vireo-scratch-", ".img");
            try {
                FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
                channel.truncate(0).write(ByteBuffer.allocate(1), bytes - 1); // sparse: the size without the blocks
                return new VirtioBlock(channel, false, bytes / SECTOR, "scratch");
            } finally {
                Files.delete(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("creating a scratch disk", e);
        }
    }

    @Override
    public String name() {
        return "virtio-blk";
    }

    @Override
    public int deviceId() {
        return ID_BLOCK;
    }

    @Override
    public long features() {
        return F_FLUSH | (readOnly ? F_RO : 0);
    }

    /** struct virtio_blk_config begins with the capacity in 512-byte sectors; the rest needs features not offered. */
    @Override
    public byte[] config() {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(sectors).array();
    }

    /** The capacity the driver read: a restored machine must be given a disk of the same size. */
    @Override
    public void saveState(DataOutput out) throws IOException {
        out.writeLong(sectors);
    }

    @Override
    public void restoreState(DataInput in) throws IOException {
        long saved = in.readLong();
        if (saved != sectors) throw new IOException("the disk has " + sectors + " sectors, the saved machine's had " + saved);
    }

    @Override
    public int handle(int queue, Chain chain, GuestMemory memory) {
        int writable = chain.writableBytes();
        if (writable < 1) return 0; // no status byte: nothing can be reported, the request is just returned
        int dataIn = writable - 1;
        int status;
        int written = 0;
        if (chain.readableBytes() < HEADER) {
            status = S_IOERR;
        } else {
            byte[] header = new byte[HEADER];
            chain.read(memory, 0, header);
            ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
            int type = h.getInt(0);
            long sector = h.getLong(8);
            int dataOut = chain.readableBytes() - HEADER;
            status = switch (type) {
                case T_IN -> transfer(chain, memory, sector, dataIn, false);
                case T_OUT -> readOnly ? S_IOERR : transfer(chain, memory, sector, dataOut, true);
                case T_FLUSH -> flush();
                case T_GET_ID -> {
                    byte[] answer = new byte[Math.min(dataIn, ID_BYTES)];
                    System.arraycopy(id, 0, answer, 0, Math.min(id.length, answer.length));
                    chain.write(memory, 0, answer);
                    yield S_OK;
                }
                default -> S_UNSUPP;
            };
            if (status == S_OK && (type == T_IN || type == T_GET_ID)) written = type == T_IN ? dataIn : Math.min(dataIn, ID_BYTES);
        }
        chain.write(memory, dataIn, new byte[] {(byte) status});
        return written + 1;
    }

    /** Moves {@code length} bytes between the chain's data and the file from {@code sector}. */
    private int transfer(Chain chain, GuestMemory memory, long sector, int length, boolean toFile) {
        if (length % SECTOR != 0 || sector < 0 || sector > sectors || length / SECTOR > sectors - sector) return S_IOERR;
        long[] position = {sector * SECTOR};
        try {
            chain.forEach(memory, !toFile, toFile ? HEADER : 0, length, (segment, done) -> {
                ByteBuffer buffer = segment.asByteBuffer();
                try {
                    while (buffer.hasRemaining()) {
                        int n = toFile ? file.write(buffer, position[0]) : file.read(buffer, position[0]);
                        if (n < 0) throw new IOException("the image ended early");
                        position[0] += n;
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            return S_OK;
        } catch (UncheckedIOException e) {
            return S_IOERR;
        }
    }

    private int flush() {
        if (readOnly) return S_OK;
        try {
            file.force(false);
            return S_OK;
        } catch (IOException e) {
            return S_IOERR;
        }
    }

    @Override
    public void close() {
        try {
            file.close();
        } catch (IOException e) {
            // nothing is lost: every write was handed to the kernel and FLUSH is the driver's to send
        }
    }
}
