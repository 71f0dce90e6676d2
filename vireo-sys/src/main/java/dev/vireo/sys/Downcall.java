package dev.vireo.sys;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Arrays;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A libc function called through the one shape every such function shares here: up to six
 * integer-class arguments, each passed as a {@code long} (ints widened, pointers as their
 * address), a {@code long} result (narrow an {@code int} result with a cast), errno captured
 * into this thread's {@link Native#errnoState()}.
 *
 * <p>Why one shape: the JVM generates a stub, and a few dozen helper classes, for every
 * distinct function descriptor it links, a few milliseconds each at start-up that the AOT cache
 * cannot keep; {@code vireo run} linked 23 such shapes. On x86-64 System V this one shape is
 * exact for every function it serves: integer and pointer arguments travel in the same six
 * registers whatever their C width, the callee ignores the registers it has no parameter for,
 * an int result is the low half of RAX, and marking every argument variadic only adds AL = 0
 * (no vector registers), which variadic callees such as open, fcntl and syscall require and
 * the others ignore. The hot paths (ioctl, eventfd, mmap) keep typed handles of their own.
 */
final class Downcall {
    private static final int MAX_ARGUMENTS = 6;
    private static final MethodHandle CALL = Native.LINKER.downcallHandle(
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Native.withErrnoCapture(Linker.Option.firstVariadicArg(0)));

    private final MemorySegment function;

    private Downcall(MemorySegment function) {
        this.function = function;
    }

    /** Nothing but this class's initialisation, which links the shape ({@link NativeAccess#prepare}). */
    static void prepare() {}

    static Downcall of(String name) {
        return new Downcall(Native.symbol(name));
    }

    /** Calls the function; errno is then in this thread's {@link Native#errnoState()}. */
    long call(long... args) {
        if (args.length > MAX_ARGUMENTS) throw new IllegalArgumentException("at most " + MAX_ARGUMENTS + " arguments");
        long[] a = args.length == MAX_ARGUMENTS ? args : Arrays.copyOf(args, MAX_ARGUMENTS);
        try {
            return (long) CALL.invokeExact(function, Native.errnoState(), a[0], a[1], a[2], a[3], a[4], a[5]);
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }
}
