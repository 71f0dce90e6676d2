package dev.vireo.runtime.linux;

import dev.vireo.sys.Errno;
import dev.vireo.sys.Fd;
import dev.vireo.sys.FileIo;
import dev.vireo.sys.Pipes;
import dev.vireo.sys.SysException;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The JVM's end of the control socket to vireo-init: framed messages (32-bit type, 32-bit
 * length, payload) both ways, and the one descriptor vireo-init may pass back (the terminal).
 */
final class ControlChannel implements AutoCloseable {
    // JVM to helper.
    static final int ACK = 1, GO = 2, JOINED = 3;
    // Helper to JVM.
    static final int USERMAP = 10, PID = 11, HOOKS = 12, READY = 13, ERROR = 14, CONSOLE = 15, WARN = 16;

    /** One message; {@code fd} is set on a CONSOLE message. The end of the stream is type -1. */
    record Message(int type, byte[] payload, Fd fd) {
        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        long number() {
            return ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN).getLong();
        }
    }

    private final Fd socket;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment buffer = arena.allocate(65536);
    private byte[] pending = new byte[0];
    private Fd passed;

    ControlChannel(Fd socket) {
        this.socket = socket;
    }

    /** Writes raw bytes (the plan, which carries its own header). */
    void write(byte[] bytes) {
        MemorySegment data = arena.allocate(Math.max(1, bytes.length));
        MemorySegment.copy(bytes, 0, data, ValueLayout.JAVA_BYTE, 0, bytes.length);
        long done = 0;
        while (done < bytes.length) done += FileIo.write(socket, data.asSlice(done, bytes.length - done));
    }

    void send(int type, byte[] payload) {
        ByteBuffer frame = ByteBuffer.allocate(8 + payload.length).order(ByteOrder.LITTLE_ENDIAN);
        frame.putInt(type).putInt(payload.length).put(payload);
        write(frame.array());
    }

    /** Sends a message unless the other end is closed already (what it sent is still to be read). */
    void sendIfOpen(int type, byte[] payload) {
        try {
            send(type, payload);
        } catch (SysException e) {
            if (!e.is(Errno.EPIPE)) throw e;
        }
    }

    Message receive() {
        byte[] header = take(8);
        if (header == null) return new Message(-1, new byte[0], null);
        ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        int type = h.getInt(), length = h.getInt();
        byte[] payload = length == 0 ? new byte[0] : take(length);
        if (payload == null) return new Message(-1, new byte[0], null);
        Fd fd = null;
        if (type == CONSOLE) {
            fd = passed;
            passed = null;
        }
        return new Message(type, payload, fd);
    }

    /** Exactly {@code n} bytes, or null at the end of the stream. */
    private byte[] take(int n) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (pending.length < n) {
            Pipes.Received r;
            try {
                r = Pipes.receive(socket, buffer);
            } catch (SysException e) {
                // The other end closed with a message of ours unread: an end of stream too.
                if (e.is(Errno.ECONNRESET)) return null;
                throw e;
            }
            if (r.passed() != null) {
                if (passed != null) passed.close();
                passed = r.passed();
            }
            if (r.bytes() == 0) return null;
            out.reset();
            out.writeBytes(pending);
            out.writeBytes(buffer.asSlice(0, r.bytes()).toArray(ValueLayout.JAVA_BYTE));
            pending = out.toByteArray();
        }
        byte[] result = Arrays.copyOf(pending, n);
        pending = Arrays.copyOfRange(pending, n, pending.length);
        return result;
    }

    @Override
    public void close() {
        if (passed != null) passed.close();
        socket.close();
        arena.close();
    }
}
