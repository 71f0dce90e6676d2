package dev.vireo.vmm.migration.stream;

import dev.vireo.vmm.PageEncoding;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The one codec of {@link Chunk}s. A frame is {@code type (u8) | length (u32) | payload |
 * CRC-32C (u32) of everything before it}, big-endian; a reader refuses a frame whose checksum
 * does not match, whose type it does not know, whose payload is malformed or cut off.
 */
public final class ChunkCodec {
    /** No chunk is larger: a kernel image or a batch of pages fits many times over. */
    public static final int MAX_PAYLOAD = 64 << 20;
    private static final int FRAME_OVERHEAD = 9;

    private static final int ACCEPT = 1, REFUSE = 2, PAGES = 3, ROUND_END = 4, MACHINE_STATE = 5, GUEST_CONFIG = 6,
            COMPLETE = 7, PAGE_REQUEST = 8, RUNNING = 9, ABORT = 10, DISK_DATA = 11, DISK_END = 12,
            ROUND_LANDED = 13;
    private static final int ENTRY_ZERO_RUN = 0, ENTRY_DATA = 1;

    private ChunkCodec() {}

    /** The whole frame of {@code chunk}. */
    public static byte[] encode(Chunk chunk) {
        Frame bytes = new Frame(sizeHint(chunk));
        DataOutputStream out = new DataOutputStream(bytes);
        try {
            out.writeByte(type(chunk));
            out.writeInt(0); // the length, patched below
            payload(chunk, out);
            out.writeInt(0); // the CRC, patched below
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        byte[] frame = bytes.frame();
        ByteBuffer b = ByteBuffer.wrap(frame);
        b.putInt(1, frame.length - FRAME_OVERHEAD);
        CRC32C crc = new CRC32C();
        crc.update(frame, 0, frame.length - 4);
        b.putInt(frame.length - 4, (int) crc.getValue());
        return frame;
    }

    /**
     * A frame's bytes as written, in an array sized for them up front: a megabyte of pages grown
     * by doubling and copied out again made three times its size in garbage.
     */
    private static final class Frame extends ByteArrayOutputStream {
        Frame(int size) {
            super(size);
        }

        byte[] frame() {
            return count == buf.length ? buf : toByteArray();
        }
    }

    /** The frame size of {@code chunk}, exact for the large ones. */
    private static int sizeHint(Chunk chunk) {
        return FRAME_OVERHEAD + switch (chunk) {
            case Chunk.Pages p -> {
                int size = 4;
                for (PageEntry e : p.entries()) {
                    size += e instanceof PageEntry.Data d ? PageEncoder.DATA_ENTRY_OVERHEAD + d.bytes().length
                            : PageEncoder.ZERO_RUN_OVERHEAD;
                }
                yield size;
            }
            case Chunk.MachineState m -> m.bytes().length;
            case Chunk.DiskData d -> d.bytes().length;
            case Chunk.GuestConfig c -> c.kernel().length + 256;
            default -> 64;
        };
    }

    /** Reads one frame; end of stream before its first byte is an {@link EOFException}, inside it a {@link StreamException}. */
    public static Chunk read(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        int type = data.read();
        if (type < 0) throw new EOFException("the migration stream ended");
        byte[] head = new byte[5];
        head[0] = (byte) type;
        readFully(data, head, 1, 4);
        int length = ByteBuffer.wrap(head).getInt(1);
        if (length < 0 || length > MAX_PAYLOAD) throw new StreamException("chunk of type " + type + " claims " + length + " bytes");
        byte[] payload = new byte[length];
        readFully(data, payload, 0, length);
        byte[] tail = new byte[4];
        readFully(data, tail, 0, 4);
        CRC32C crc = new CRC32C();
        crc.update(head);
        crc.update(payload);
        if ((int) crc.getValue() != ByteBuffer.wrap(tail).getInt()) {
            throw new StreamException("a " + typeName(type) + " chunk failed its CRC-32C check: the stream is corrupted");
        }
        return decode(type, payload);
    }

    private static void readFully(DataInputStream in, byte[] into, int offset, int length) throws IOException {
        try {
            in.readFully(into, offset, length);
        } catch (EOFException e) {
            throw new StreamException("the stream ended inside a chunk: the connection was cut");
        }
    }

    private static int type(Chunk chunk) {
        return switch (chunk) {
            case Chunk.Accept _ -> ACCEPT;
            case Chunk.Refuse _ -> REFUSE;
            case Chunk.Pages _ -> PAGES;
            case Chunk.RoundEnd _ -> ROUND_END;
            case Chunk.RoundLanded _ -> ROUND_LANDED;
            case Chunk.MachineState _ -> MACHINE_STATE;
            case Chunk.GuestConfig _ -> GUEST_CONFIG;
            case Chunk.DiskData _ -> DISK_DATA;
            case Chunk.DiskEnd _ -> DISK_END;
            case Chunk.Complete _ -> COMPLETE;
            case Chunk.PageRequest _ -> PAGE_REQUEST;
            case Chunk.Running _ -> RUNNING;
            case Chunk.Abort _ -> ABORT;
        };
    }

    private static String typeName(int type) {
        return switch (type) {
            case ACCEPT -> "accept";
            case REFUSE -> "refuse";
            case PAGES -> "pages";
            case ROUND_END -> "round-end";
            case ROUND_LANDED -> "round-landed";
            case MACHINE_STATE -> "machine-state";
            case GUEST_CONFIG -> "guest-config";
            case DISK_DATA -> "disk-data";
            case DISK_END -> "disk-end";
            case COMPLETE -> "complete";
            case PAGE_REQUEST -> "page-request";
            case RUNNING -> "running";
            case ABORT -> "abort";
            default -> "type-" + type;
        };
    }

    private static void payload(Chunk chunk, DataOutputStream out) throws IOException {
        switch (chunk) {
            case Chunk.Accept _, Chunk.Complete _ -> { }
            case Chunk.Running r -> {
                out.writeLong(r.restoreNanos());
                out.writeLong(r.startNanos());
            }
            case Chunk.Refuse r -> string(out, r.reason());
            case Chunk.Abort a -> string(out, a.reason());
            case Chunk.Pages p -> {
                out.writeInt(p.entries().size());
                for (PageEntry e : p.entries()) {
                    switch (e) {
                        case PageEntry.ZeroRun z -> {
                            out.writeByte(ENTRY_ZERO_RUN);
                            out.writeLong(z.first());
                            out.writeInt(z.count());
                        }
                        case PageEntry.Data d -> {
                            out.writeByte(ENTRY_DATA);
                            out.writeLong(d.index());
                            out.writeByte(d.encoding().ordinal());
                            bytes(out, d.bytes());
                        }
                    }
                }
            }
            case Chunk.RoundLanded r -> out.writeInt(r.round());
            case Chunk.RoundEnd r -> {
                out.writeInt(r.round());
                out.writeLong(r.pages());
            }
            case Chunk.MachineState s -> out.write(s.bytes());
            case Chunk.GuestConfig c -> {
                string(out, c.kernelName());
                bytes(out, c.kernel());
                string(out, c.cmdline());
                out.writeLong(c.diskBytes());
            }
            case Chunk.DiskData d -> out.write(d.bytes());
            case Chunk.DiskEnd e -> out.write(e.sha256());
            case Chunk.PageRequest r -> out.writeLong(r.index());
        }
    }

    private static Chunk decode(int type, byte[] payload) throws StreamException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload));
        try {
            Chunk chunk = switch (type) {
                case ACCEPT -> new Chunk.Accept();
                case REFUSE -> new Chunk.Refuse(string(in));
                case PAGES -> pages(in);
                case ROUND_END -> new Chunk.RoundEnd(in.readInt(), in.readLong());
                case ROUND_LANDED -> new Chunk.RoundLanded(in.readInt());
                case MACHINE_STATE -> new Chunk.MachineState(in.readAllBytes());
                case GUEST_CONFIG -> new Chunk.GuestConfig(string(in), bytes(in), string(in), in.readLong());
                case DISK_DATA -> new Chunk.DiskData(in.readAllBytes());
                case DISK_END -> new Chunk.DiskEnd(in.readAllBytes());
                case COMPLETE -> new Chunk.Complete();
                case PAGE_REQUEST -> new Chunk.PageRequest(in.readLong());
                case RUNNING -> new Chunk.Running(in.readLong(), in.readLong());
                case ABORT -> new Chunk.Abort(string(in));
                default -> throw new StreamException("unknown chunk type " + type);
            };
            if (in.available() > 0) throw new StreamException("a " + typeName(type) + " chunk has " + in.available() + " bytes too many");
            return chunk;
        } catch (StreamException e) {
            throw e;
        } catch (IOException | IllegalArgumentException e) {
            throw new StreamException("a malformed " + typeName(type) + " chunk: " + e.getMessage());
        }
    }

    private static Chunk.Pages pages(DataInputStream in) throws IOException {
        int count = in.readInt();
        if (count < 0) throw new StreamException("a pages chunk with " + count + " entries");
        List<PageEntry> entries = new ArrayList<>(Math.min(count, 4096));
        for (int i = 0; i < count; i++) {
            int kind = in.readUnsignedByte();
            entries.add(switch (kind) {
                case ENTRY_ZERO_RUN -> new PageEntry.ZeroRun(in.readLong(), in.readInt());
                case ENTRY_DATA -> {
                    long index = in.readLong();
                    int encoding = in.readUnsignedByte();
                    if (encoding >= PageEncoding.values().length) throw new StreamException("unknown page encoding " + encoding);
                    yield new PageEntry.Data(index, PageEncoding.values()[encoding], bytes(in));
                }
                default -> throw new StreamException("unknown page entry kind " + kind);
            });
        }
        return new Chunk.Pages(entries);
    }

    private static void bytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    private static byte[] bytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > in.available()) throw new StreamException("a field of " + n + " bytes in a shorter chunk");
        return in.readNBytes(n);
    }

    private static void string(DataOutputStream out, String s) throws IOException {
        bytes(out, s.getBytes(StandardCharsets.UTF_8));
    }

    private static String string(DataInputStream in) throws IOException {
        return new String(bytes(in), StandardCharsets.UTF_8);
    }
}
