package dev.vireo.sys;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;

/**
 * A libc function linked on its first call. Linking makes the JVM generate a stub for the
 * function's shape, milliseconds each at start-up and not kept by the AOT cache, while a command
 * calls only a few of the functions a class binds: {@code vireo run} went from 23 generated stubs
 * to the handful it uses. The hot paths (ioctl, eventfd, mmap) are linked eagerly instead, so
 * their handles stay constants the JIT folds.
 */
final class Downcall {
    private final String name;
    private final FunctionDescriptor descriptor;
    private final Linker.Option[] options;
    // Two threads may both link on a first call: harmless, both handles call the same function.
    private volatile MethodHandle handle;

    private Downcall(String name, FunctionDescriptor descriptor, Linker.Option[] options) {
        this.name = name;
        this.descriptor = descriptor;
        this.options = options;
    }

    /** As {@link Native#errnoFunction}: the handle's first parameter is the errno capture segment. */
    static Downcall errno(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        return new Downcall(name, descriptor, Native.withErrnoCapture(options));
    }

    /** As {@link Native#function}. */
    static Downcall plain(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        return new Downcall(name, descriptor, options);
    }

    MethodHandle handle() {
        MethodHandle h = handle;
        if (h == null) handle = h = Native.LINKER.downcallHandle(Native.symbol(name), descriptor, options);
        return h;
    }
}
