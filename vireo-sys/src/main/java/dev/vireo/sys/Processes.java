package dev.vireo.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Child processes without the JDK's {@code ProcessBuilder}: posix_spawn with an exact
 * descriptor table, waitpid, pidfds, poll, and executables sealed in memory.
 *
 * <p>{@code ProcessBuilder} can hand a child only its three standard streams; a container
 * helper also needs a control socket and preserved descriptors at fixed numbers, a clean signal
 * mask, and an executable that no process can rewrite. posix_spawn runs from a multithreaded
 * JVM safely (glibc implements it with {@code clone(CLONE_VM|CLONE_VFORK)}).
 */
public final class Processes {
    public static final int WNOHANG = 1, WEXITED = 4, WNOWAIT = 0x01000000;
    public static final short POLLIN = 0x1, POLLERR = 0x8, POLLHUP = 0x10, POLLNVAL = 0x20;

    private static final short POSIX_SPAWN_SETSIGDEF = 0x04, POSIX_SPAWN_SETSIGMASK = 0x08, POSIX_SPAWN_SETSID = 0x80;
    // Opaque glibc structures (80 and 336 bytes on x86-64), allocated with room to spare.
    private static final long FILE_ACTIONS_BYTES = 256, SPAWNATTR_BYTES = 512, SIGSET_BYTES = 128;
    private static final int MFD_CLOEXEC = 1, MFD_ALLOW_SEALING = 2, F_ADD_SEALS = 1033;
    private static final int F_SEAL_SEAL = 1, F_SEAL_SHRINK = 2, F_SEAL_GROW = 4, F_SEAL_WRITE = 8;
    private static final long SYS_PIDFD_OPEN = 434;

    private static final Downcall FA_INIT = Downcall.of("posix_spawn_file_actions_init");
    private static final Downcall FA_DESTROY = Downcall.of("posix_spawn_file_actions_destroy");
    private static final Downcall FA_DUP2 = Downcall.of("posix_spawn_file_actions_adddup2");
    private static final Downcall FA_CLOSE = Downcall.of("posix_spawn_file_actions_addclose");
    // glibc 2.34 and later.
    private static final Downcall FA_CLOSEFROM = Downcall.of("posix_spawn_file_actions_addclosefrom_np");
    private static final Downcall ATTR_INIT = Downcall.of("posix_spawnattr_init");
    private static final Downcall ATTR_DESTROY = Downcall.of("posix_spawnattr_destroy");
    private static final Downcall ATTR_SETFLAGS = Downcall.of("posix_spawnattr_setflags");
    private static final Downcall ATTR_SETSIGMASK = Downcall.of("posix_spawnattr_setsigmask");
    private static final Downcall ATTR_SETSIGDEFAULT = Downcall.of("posix_spawnattr_setsigdefault");
    private static final Downcall SIGEMPTYSET = Downcall.of("sigemptyset");
    private static final Downcall SIGFILLSET = Downcall.of("sigfillset");
    // posix_spawn returns an error number instead of setting errno.
    private static final Downcall POSIX_SPAWN = Downcall.of("posix_spawn");
    private static final Downcall WAITPID = Downcall.of("waitpid");
    private static final Downcall POLL = Downcall.of("poll");
    private static final Downcall SYSCALL_2 = Downcall.of("syscall");
    private static final Downcall MEMFD_CREATE = Downcall.of("memfd_create");
    private static final Downcall FCNTL_INT = Downcall.of("fcntl");

    private Processes() {}

    /** How a child ended, decoded from a wait status. */
    public sealed interface Exit {
        int pid();

        /** The shell's convention: the exit code, or 128 plus the signal number. */
        int code();

        record Exited(int pid, int status) implements Exit {
            @Override
            public int code() {
                return status;
            }
        }

        record Signaled(int pid, int signal) implements Exit {
            @Override
            public int code() {
                return 128 + signal;
            }
        }
    }

    /**
     * Like {@link #spawn(String, List, List, List, boolean)}, executing the file open on
     * {@code executable} (through /proc/self/fd, so it needs no path in any mount namespace). That
     * descriptor stays open in the child as number {@code fds.size()}: the exec needs it, and the
     * child should close it.
     */
    public static int spawn(Fd executable, List<String> argv, List<String> env, List<Fd> fds, boolean newSession) {
        List<Fd> all = new ArrayList<>(fds);
        all.add(executable);
        return spawn("/proc/self/fd/" + fds.size(), argv, env, all, newSession);
    }

    /**
     * Starts {@code path} with exactly the descriptors in {@code fds}: the child's descriptor
     * {@code i} is the parent's {@code fds.get(i)}, and every other descriptor is closed, whether
     * or not the JVM marked it close-on-exec. Every signal is unblocked and set to its default.
     */
    public static int spawn(String path, List<String> argv, List<String> env, List<Fd> fds, boolean newSession) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment actions = arena.allocate(FILE_ACTIONS_BYTES, 16);
            MemorySegment attr = arena.allocate(SPAWNATTR_BYTES, 16);
            check("posix_spawn_file_actions_init", (int) FA_INIT.call(actions.address()));
            check("posix_spawnattr_init", (int) ATTR_INIT.call(attr.address()));
            try {
                // Two steps, so that no source is overwritten before it is copied: first above
                // every source, then down to the wanted numbers.
                int base = 3;
                for (Fd fd : fds) base = Math.max(base, fd.value() + 1);
                base = Math.max(base, fds.size());
                for (int i = 0; i < fds.size(); i++) {
                    check("posix_spawn_file_actions_adddup2", (int) FA_DUP2.call(actions.address(), fds.get(i).value(), base + i));
                }
                for (int i = 0; i < fds.size(); i++) {
                    check("posix_spawn_file_actions_adddup2", (int) FA_DUP2.call(actions.address(), base + i, i));
                    check("posix_spawn_file_actions_addclose", (int) FA_CLOSE.call(actions.address(), base + i));
                }
                check("posix_spawn_file_actions_addclosefrom_np", (int) FA_CLOSEFROM.call(actions.address(), fds.size()));
                MemorySegment empty = arena.allocate(SIGSET_BYTES);
                MemorySegment all = arena.allocate(SIGSET_BYTES);
                check("sigemptyset", (int) SIGEMPTYSET.call(empty.address()));
                check("sigfillset", (int) SIGFILLSET.call(all.address()));
                check("posix_spawnattr_setsigmask", (int) ATTR_SETSIGMASK.call(attr.address(), empty.address()));
                check("posix_spawnattr_setsigdefault", (int) ATTR_SETSIGDEFAULT.call(attr.address(), all.address()));
                short flags = (short) (POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | (newSession ? POSIX_SPAWN_SETSID : 0));
                check("posix_spawnattr_setflags", (int) ATTR_SETFLAGS.call(attr.address(), flags));

                MemorySegment pid = arena.allocate(JAVA_INT);
                int r = (int) POSIX_SPAWN.call(pid.address(), arena.allocateFrom(path).address(), actions.address(), attr.address(),
                        strings(arena, argv).address(), strings(arena, env).address());
                if (r != 0) throw new SysException("posix_spawn(" + path + ")", r);
                return pid.get(JAVA_INT, 0);
            } finally {
                int _ = (int) ATTR_DESTROY.call(attr.address());
                int _ = (int) FA_DESTROY.call(actions.address());
            }
        }
    }

    /** waitpid(2), retried on EINTR; null when {@code options} has WNOHANG and the child is still running. */
    public static Exit waitpid(int pid, int options) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment status = arena.allocate(JAVA_INT);
            while (true) {
                MemorySegment state = Native.errnoState();
                int r = (int) WAITPID.call(pid, status.address(), options);
                if (r < 0 && Native.errno(state) == Errno.EINTR) continue;
                if (r < 0) throw Native.failure("waitpid(" + pid + ")", state);
                if (r == 0) return null;
                return decode(r, status.get(JAVA_INT, 0));
            }
        }
    }

    static Exit decode(int pid, int status) {
        int signal = status & 0x7f;
        return signal == 0 ? new Exit.Exited(pid, (status >> 8) & 0xff) : new Exit.Signaled(pid, signal);
    }

    /** pidfd_open(2): a descriptor that names this process and no later one with the same number. */
    public static Fd pidfdOpen(int pid) {
        MemorySegment state = Native.errnoState();
        long r = SYSCALL_2.call(SYS_PIDFD_OPEN, pid, 0);
        if (r < 0) throw Native.failure("pidfd_open(" + pid + ")", state);
        // pidfds are created close-on-exec.
        return Fd.own((int) r);
    }

    /**
     * poll(2) for input on {@code fds} (a pidfd polls readable when its process exits); returns
     * the index of the first descriptor that is readable or hung up, or -1 after
     * {@code timeoutMillis} (negative: no limit). EINTR is retried.
     */
    public static int poll(List<Fd> fds, int timeoutMillis) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pollfds = arena.allocate(8L * fds.size(), 4);
            for (int i = 0; i < fds.size(); i++) {
                pollfds.set(JAVA_INT, 8L * i, fds.get(i).value());
                pollfds.set(JAVA_SHORT, 8L * i + 4, POLLIN);
            }
            while (true) {
                MemorySegment state = Native.errnoState();
                int r = (int) POLL.call(pollfds.address(), (long) fds.size(), timeoutMillis);
                if (r < 0 && Native.errno(state) == Errno.EINTR) continue;
                if (r < 0) throw Native.failure("poll", state);
                if (r == 0) return -1;
                for (int i = 0; i < fds.size(); i++) {
                    if (pollfds.get(JAVA_SHORT, 8L * i + 6) != 0) return i;
                }
                return -1;
            }
        }
    }

    /**
     * An anonymous in-memory file holding {@code image}, sealed so that nothing, not even this
     * process, can change it again: a binary executed from it (through {@code /proc/self/fd/N})
     * cannot be rewritten by a process that reaches it through {@code /proc/PID/exe}.
     */
    public static Fd sealedExecutable(String name, byte[] image) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.errnoState();
            int r = (int) MEMFD_CREATE.call(arena.allocateFrom(name).address(), MFD_CLOEXEC | MFD_ALLOW_SEALING);
            if (r < 0) throw Native.failure("memfd_create(" + name + ")", state);
            Fd fd = Fd.own(r);
            try {
                // allocateFrom, not allocate and copy: allocate zeroes the segment in a Java loop,
                // which the interpreter runs 100,000 times for this image (20 ms).
                MemorySegment bytes = arena.allocateFrom(JAVA_BYTE, image);
                long done = 0;
                while (done < image.length) done += FileIo.write(fd, bytes.asSlice(done));
                int seals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
                if ((int) FCNTL_INT.call(fd.value(), F_ADD_SEALS, seals) < 0) {
                    throw Native.failure("fcntl(F_ADD_SEALS)", state);
                }
                return fd;
            } catch (Throwable t) {
                fd.close();
                throw t;
            }
        }
    }

    private static MemorySegment strings(Arena arena, List<String> values) {
        MemorySegment array = arena.allocate(ADDRESS, values.size() + 1L);
        for (int i = 0; i < values.size(); i++) Native.putAddress(array, i * ADDRESS.byteSize(), arena.allocateFrom(values.get(i)));
        Native.putAddress(array, values.size() * ADDRESS.byteSize(), MemorySegment.NULL);
        return array;
    }

    private static void check(String call, int error) {
        if (error != 0) throw new SysException(call, error);
    }
}
