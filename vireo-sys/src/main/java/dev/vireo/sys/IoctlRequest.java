package dev.vireo.sys;

/**
 * An ioctl request number with the name it has in the kernel headers, so that a failure says
 * {@code ioctl(KVM_RUN)} rather than a number. The factories encode numbers the way
 * {@code <asm-generic/ioctl.h>} does on x86-64.
 */
public record IoctlRequest(String name, long number) {
    private static final int NONE = 0, WRITE = 1, READ = 2;

    public static IoctlRequest io(String name, int type, int nr) {
        return new IoctlRequest(name, encode(NONE, type, nr, 0));
    }

    /** The kernel reads a structure of {@code size} bytes from userspace. */
    public static IoctlRequest iow(String name, int type, int nr, long size) {
        return new IoctlRequest(name, encode(WRITE, type, nr, size));
    }

    /** The kernel writes a structure of {@code size} bytes to userspace. */
    public static IoctlRequest ior(String name, int type, int nr, long size) {
        return new IoctlRequest(name, encode(READ, type, nr, size));
    }

    public static IoctlRequest iowr(String name, int type, int nr, long size) {
        return new IoctlRequest(name, encode(READ | WRITE, type, nr, size));
    }

    private static long encode(int dir, int type, int nr, long size) {
        if (size < 0 || size >= (1 << 14)) throw new IllegalArgumentException("ioctl size out of range: " + size);
        return ((long) dir << 30) | (size << 16) | ((long) type << 8) | nr;
    }
}
