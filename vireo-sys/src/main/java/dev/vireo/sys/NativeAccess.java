package dev.vireo.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/** The native-call machinery this module's calls share, ready before the first call needs it. */
public final class NativeAccess {
    private NativeAccess() {}

    /**
     * Links now what the first system calls of a process would otherwise link: the JVM's foreign
     * linker, the downcall stub most calls here share, and the accessors for the value layouts
     * the calls' structures are read and written with (15-40 ms of generated classes in a fresh
     * JVM). For a program that can do this on another thread while its main thread does other
     * work; class initialisation happens once, and a thread that needs it meanwhile waits.
     */
    public static void prepare() {
        Downcall.prepare();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment scratch = arena.allocate(8);
            scratch.set(JAVA_BYTE, 0, scratch.get(JAVA_BYTE, 0));
            scratch.set(JAVA_SHORT, 0, scratch.get(JAVA_SHORT, 0));
            scratch.set(JAVA_INT, 0, scratch.get(JAVA_INT, 0));
            scratch.set(JAVA_LONG, 0, scratch.get(JAVA_LONG, 0));
        }
    }
}
