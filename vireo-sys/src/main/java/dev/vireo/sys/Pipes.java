package dev.vireo.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Channels to child processes: pipes, connected AF_UNIX socket pairs, listening AF_UNIX
 * sockets, and receiving a file descriptor that a child passes back (SCM_RIGHTS), as a
 * container's pseudo-terminal master is.
 */
public final class Pipes {
    private static final int O_CLOEXEC = 02000000, AF_UNIX = 1, SOCK_STREAM = 1, SOCK_CLOEXEC = 02000000;
    private static final int SOL_SOCKET = 1, SCM_RIGHTS = 1, MSG_CMSG_CLOEXEC = 0x40000000;
    // struct msghdr on x86-64: name, namelen, iov, iovlen, control, controllen, flags.
    private static final long MSGHDR_BYTES = 56, CMSG_HEADER = 16, CMSG_SPACE_ONE_FD = 24;

    private static final Downcall PIPE2 = Downcall.of("pipe2");
    private static final Downcall SOCKETPAIR = Downcall.of("socketpair");
    private static final Downcall RECVMSG = Downcall.of("recvmsg");
    private static final Downcall SOCKET = Downcall.of("socket");
    private static final Downcall BIND = Downcall.of("bind");
    private static final Downcall LISTEN = Downcall.of("listen");
    private static final Downcall ACCEPT4 = Downcall.of("accept4");

    private Pipes() {}

    /** A pipe, both ends close-on-exec: {@code [read, write]}. */
    public static Fd[] pipe() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            MemorySegment state = Native.errnoState();
            if ((int) PIPE2.call(fds.address(), O_CLOEXEC) < 0) throw Native.failure("pipe2", state);
            return new Fd[] {Fd.own(fds.getAtIndex(JAVA_INT, 0)), Fd.own(fds.getAtIndex(JAVA_INT, 1))};
        }
    }

    /** A connected pair of stream sockets, both close-on-exec. */
    public static Fd[] socketPair() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            MemorySegment state = Native.errnoState();
            int r = (int) SOCKETPAIR.call(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds.address());
            if (r < 0) throw Native.failure("socketpair", state);
            return new Fd[] {Fd.own(fds.getAtIndex(JAVA_INT, 0)), Fd.own(fds.getAtIndex(JAVA_INT, 1))};
        }
    }

    /**
     * A listening AF_UNIX stream socket at {@code path}, such as the console socket that
     * receives a container's terminal (runc's --console-socket).
     */
    public static Fd listen(String path) {
        byte[] name = path.getBytes(StandardCharsets.UTF_8);
        if (name.length >= 108) throw new IllegalArgumentException("socket path too long: " + path);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.errnoState();
            int s = (int) SOCKET.call(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
            if (s < 0) throw Native.failure("socket", state);
            Fd fd = Fd.own(s);
            MemorySegment address = arena.allocate(110);
            address.set(JAVA_SHORT, 0, (short) AF_UNIX);
            MemorySegment.copy(name, 0, address, JAVA_BYTE, 2, name.length);
            if ((int) BIND.call(s, address.address(), 2 + name.length + 1) < 0 || (int) LISTEN.call(s, 16) < 0) {
                SysException e = Native.failure("bind/listen(" + path + ")", state);
                fd.close();
                throw e;
            }
            return fd;
        }
    }

    /** accept4(2): the next connection, close-on-exec. */
    public static Fd accept(Fd listening) {
        MemorySegment state = Native.errnoState();
        int c = (int) ACCEPT4.call(listening.value(), 0, 0, SOCK_CLOEXEC);
        if (c < 0) throw Native.failure("accept4", state);
        return Fd.own(c);
    }

    /** What one recvmsg returned: the bytes read (0 at end of stream) and a passed descriptor, if any. */
    public record Received(long bytes, Fd passed) {}

    /** recvmsg(2) into {@code buffer}, accepting at most one descriptor (made close-on-exec). */
    public static Received receive(Fd socket, MemorySegment buffer) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment iov = arena.allocate(16, 8);
            Native.putAddress(iov, 0, buffer);
            iov.set(JAVA_LONG, 8, buffer.byteSize());
            MemorySegment control = arena.allocate(CMSG_SPACE_ONE_FD, 8);
            MemorySegment msg = arena.allocate(MSGHDR_BYTES, 8);
            Native.putAddress(msg, 16, iov);
            msg.set(JAVA_LONG, 24, 1L);
            Native.putAddress(msg, 32, control);
            msg.set(JAVA_LONG, 40, CMSG_SPACE_ONE_FD);
            while (true) {
                MemorySegment state = Native.errnoState();
                long n = RECVMSG.call(socket.value(), msg.address(), MSG_CMSG_CLOEXEC);
                if (n < 0 && Native.errno(state) == Errno.EINTR) continue;
                if (n < 0) throw Native.failure("recvmsg(" + socket + ")", state);
                Fd passed = null;
                long controlLength = msg.get(JAVA_LONG, 40);
                if (controlLength >= CMSG_HEADER + 4 && control.get(JAVA_INT, 8) == SOL_SOCKET
                        && control.get(JAVA_INT, 12) == SCM_RIGHTS) {
                    passed = Fd.own(control.get(JAVA_INT, CMSG_HEADER));
                }
                return new Received(n, passed);
            }
        }
    }
}
