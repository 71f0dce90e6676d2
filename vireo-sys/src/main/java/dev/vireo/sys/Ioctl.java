package dev.vireo.sys;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** ioctl(2) with no argument, an integer argument, or a pointer to a structure. */
public final class Ioctl {
    private static final MethodHandle IOCTL_LONG = Native.errnoFunction("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle IOCTL_POINTER = Native.errnoFunction("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(2));

    private Ioctl() {}

    public static int call(Fd fd, IoctlRequest request) {
        return call(fd, request, 0L);
    }

    /** Returns the ioctl's non-negative result; a negative one becomes a {@link SysException}. */
    public static int call(Fd fd, IoctlRequest request, long arg) {
        try {
            MemorySegment state = Native.errnoState();
            int r = (int) IOCTL_LONG.invokeExact(state, fd.value(), request.number(), arg);
            if (r < 0) throw Native.failure("ioctl(" + request.name() + ")", state);
            return r;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static int call(Fd fd, IoctlRequest request, MemorySegment arg) {
        try {
            MemorySegment state = Native.errnoState();
            int r = (int) IOCTL_POINTER.invokeExact(state, fd.value(), request.number(), arg);
            if (r < 0) throw Native.failure("ioctl(" + request.name() + ")", state);
            return r;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
