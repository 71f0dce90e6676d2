package dev.vireo.sys;

/** The native-call machinery this module's calls share, ready before the first call needs it. */
public final class NativeAccess {
    private NativeAccess() {}

    /**
     * Links now what the first system call of a process would otherwise link: the JVM's foreign
     * linker and the downcall stub most calls here share (15-30 ms of generated classes in a
     * fresh JVM). For a program that can do this on another thread while its main thread does
     * other work; class initialisation happens once, and a thread that needs it meanwhile waits.
     */
    public static void prepare() {
        Downcall.prepare();
    }
}
