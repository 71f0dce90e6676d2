package dev.vireo.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Signals aimed at one thread: blocking them in the calling thread, sending one to a thread by
 * its kernel id, and consuming one that is pending without a handler ever running.
 *
 * <p>A VMM uses this to kick a vCPU thread out of KVM_RUN: the thread blocks the signal, KVM
 * runs the guest with a mask that lets it through (so KVM_RUN returns EINTR), and the signal
 * stays pending and blocked afterwards until the thread consumes it. No Java signal handler is
 * needed and the default action (terminate) can never happen, since the signal is only ever
 * unblocked inside KVM_RUN.
 */
public final class Threads {
    private static final int SIG_BLOCK = 0, SIG_UNBLOCK = 1;
    /** glibc's sigset_t is 1024 bits. */
    private static final long SIGSET_BYTES = 128;
    private static final long SYS_TGKILL = 234;

    private static final Downcall GETTID = Downcall.of("gettid");
    private static final Downcall GETPID = Downcall.of("getpid");
    private static final Downcall SIGRTMIN = Downcall.of("__libc_current_sigrtmin");
    // pthread_sigmask returns the error number instead of setting errno.
    private static final Downcall PTHREAD_SIGMASK = Downcall.of("pthread_sigmask");
    private static final Downcall SIGTIMEDWAIT = Downcall.of("sigtimedwait");
    private static final Downcall SIGPENDING = Downcall.of("sigpending");
    private static final Downcall TGKILL = Downcall.of("syscall");

    private Threads() {}

    /** The first real-time signal the C library leaves to applications (SIGRTMIN). */
    public static int firstRealtimeSignal() {
        return (int) SIGRTMIN.call();
    }

    /** The calling thread's kernel thread id, the target {@link #signal} takes. */
    public static int currentTid() {
        return (int) GETTID.call();
    }

    /** Blocks {@code signal} in the calling thread: it stays pending instead of being delivered. */
    public static void block(int signal) {
        changeMask(SIG_BLOCK, signal, "pthread_sigmask(SIG_BLOCK)");
    }

    public static void unblock(int signal) {
        changeMask(SIG_UNBLOCK, signal, "pthread_sigmask(SIG_UNBLOCK)");
    }

    /**
     * The calling thread's blocked signals as the kernel's 64-bit sigset (bit n-1 for signal n),
     * the form KVM_SET_SIGNAL_MASK takes.
     */
    public static long blockedMask() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment old = arena.allocate(SIGSET_BYTES);
            int r = (int) PTHREAD_SIGMASK.call(SIG_BLOCK, 0, old.address());
            if (r != 0) throw new SysException("pthread_sigmask", r);
            return old.get(JAVA_LONG, 0);
        }
    }

    /** Sends {@code signal} to thread {@code tid} of this process (tgkill). */
    public static void signal(int tid, int signal) {
        MemorySegment state = Native.errnoState();
        int pid = (int) GETPID.call();
        long r = TGKILL.call(SYS_TGKILL, pid, tid, signal);
        if (r < 0) throw Native.failure("tgkill(" + tid + ", " + signal + ")", state);
    }

    /** True when {@code signal} is pending for the calling thread (or the process). */
    public static boolean isPending(int signal) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment set = arena.allocate(SIGSET_BYTES);
            MemorySegment state = Native.errnoState();
            int r = (int) SIGPENDING.call(set.address());
            if (r < 0) throw Native.failure("sigpending", state);
            return (set.get(JAVA_LONG, (signal - 1) / 64 * 8L) & (1L << ((signal - 1) % 64))) != 0;
        }
    }

    /**
     * Consumes a pending, blocked {@code signal} without waiting; returns whether one was
     * pending. Only meaningful for a signal the calling thread blocks.
     */
    public static boolean consumePending(int signal) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment set = sigset(arena, signal);
            MemorySegment zero = arena.allocate(16); // struct timespec {0, 0}
            MemorySegment state = Native.errnoState();
            int r = (int) SIGTIMEDWAIT.call(set.address(), 0, zero.address());
            if (r == signal) return true;
            int errno = Native.errno(state);
            if (errno == Errno.EAGAIN || errno == Errno.EINTR) return false;
            throw new SysException("sigtimedwait", errno);
        }
    }

    private static void changeMask(int how, int signal, String call) {
        try (Arena arena = Arena.ofConfined()) {
            int r = (int) PTHREAD_SIGMASK.call(how, sigset(arena, signal).address(), 0);
            if (r != 0) throw new SysException(call, r);
        }
    }

    private static MemorySegment sigset(Arena arena, int signal) {
        if (signal < 1 || signal > 64) throw new IllegalArgumentException("not a signal number: " + signal);
        MemorySegment set = arena.allocate(SIGSET_BYTES);
        set.set(JAVA_LONG, (signal - 1) / 64 * 8L, 1L << ((signal - 1) % 64));
        return set;
    }
}
