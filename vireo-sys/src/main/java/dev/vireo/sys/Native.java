package dev.vireo.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

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
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(
            java.lang.foreign.MemoryLayout.PathElement.groupElement("errno")).withInvokeExactBehavior();
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    // Auto arena: a thread's segment is freed with the thread, which matters for virtual threads.
    private static final ThreadLocal<MemorySegment> STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE_LAYOUT));

    private Native() {}

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

    /** This thread's capture-state segment, to pass as the first argument of an errno function. */
    static MemorySegment errnoState() {
        return STATE.get();
    }

    static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
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
