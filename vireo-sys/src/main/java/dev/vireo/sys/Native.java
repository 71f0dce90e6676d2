package dev.vireo.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * The linker, libc lookup and errno capture that every binding in this package shares.
 *
 * <p>A downcall made with {@link #errnoFunction} takes a capture-state segment as its first
 * argument; {@link #errnoState()} hands out one per thread so the hot paths (KVM_RUN, reads on
 * eventfds) allocate nothing per call.
 */
final class Native {
    static final Linker LINKER = Linker.nativeLinker();
    static final SymbolLookup LIBC = LINKER.defaultLookup();

    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    // An offset summed over the struct's members and a plain int read, not a VarHandle for the
    // path (nor byteOffset, which initialises the same path machinery): that spins a dozen
    // method-handle classes at start-up, 10-20 ms of every command that makes a syscall.
    private static final long ERRNO_OFFSET = offsetOf(CAPTURE_LAYOUT, "errno");
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    // Auto arena: a thread's segment is freed with the thread, which matters for virtual threads.
    private static final ThreadLocal<MemorySegment> STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE_LAYOUT));

    private Native() {}

    private static long offsetOf(StructLayout struct, String name) {
        long offset = 0;
        for (MemoryLayout member : struct.memberLayouts()) {
            if (member.name().equals(Optional.of(name))) return offset;
            offset += member.byteSize();
        }
        throw new IllegalStateException(struct + " has no member " + name);
    }

    /** A libc function whose errno is captured; the handle's first parameter is the state segment. */
    static MethodHandle errnoFunction(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        return LINKER.downcallHandle(symbol(name), descriptor, withErrnoCapture(options));
    }

    static Linker.Option[] withErrnoCapture(Linker.Option... options) {
        Linker.Option[] all = new Linker.Option[options.length + 1];
        all[0] = CAPTURE_ERRNO;
        System.arraycopy(options, 0, all, 1, options.length);
        return all;
    }

    static MemorySegment symbol(String name) {
        return LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol " + name));
    }

    /**
     * Stores {@code target}'s address at {@code offset} as the 64-bit integer it is here. Not
     * through the ADDRESS layout: its VarHandle converts between segments and addresses with
     * adapters the JVM spins as classes at their first use (13 ms of a command's start-up).
     */
    static void putAddress(MemorySegment segment, long offset, MemorySegment target) {
        segment.set(ValueLayout.JAVA_LONG, offset, target.address());
    }

    /** This thread's capture-state segment, to pass as the first argument of an errno function. */
    static MemorySegment errnoState() {
        return STATE.get();
    }

    static int errno(MemorySegment state) {
        return state.get(ValueLayout.JAVA_INT, ERRNO_OFFSET);
    }

    /** The exception for a call that returned an error, with the errno captured in {@code state}. */
    static SysException failure(String call, MemorySegment state) {
        return new SysException(call, errno(state));
    }

    /** Downcalls declare Throwable; only errors and runtime exceptions can really come out. */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException re) return re;
        if (t instanceof Error e) throw e;
        return new IllegalStateException("unexpected checked exception from a downcall", t);
    }
}
