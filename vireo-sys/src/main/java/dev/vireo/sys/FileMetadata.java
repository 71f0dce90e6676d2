package dev.vireo.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * File metadata the JDK cannot set: device nodes (mknod), owners of symbolic links (lchown),
 * the full mode with setuid/setgid/sticky bits (chmod), extended attributes of the link itself
 * (l*xattr), and nanosecond times that do not follow links (utimensat). Every path is passed
 * as is: none of these follows a symbolic link in its last component.
 */
public final class FileMetadata {
    public static final int S_IFIFO = 0010000, S_IFCHR = 0020000, S_IFDIR = 0040000, S_IFBLK = 0060000,
            S_IFREG = 0100000, S_IFLNK = 0120000;
    public static final int XATTR_CREATE = 1, XATTR_REPLACE = 2;
    private static final int AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100;

    private static final Downcall MKNOD = Downcall.of("mknod");
    private static final Downcall LCHOWN = Downcall.of("lchown");
    private static final Downcall CHMOD = Downcall.of("chmod");
    private static final Downcall LSETXATTR = Downcall.of("lsetxattr");
    private static final Downcall LGETXATTR = Downcall.of("lgetxattr");
    private static final Downcall LLISTXATTR = Downcall.of("llistxattr");
    private static final Downcall UTIMENSAT = Downcall.of("utimensat");

    private FileMetadata() {}

    /** The device number the kernel's {@code makedev} encodes from a major and a minor. */
    public static long makedev(long major, long minor) {
        return ((major & 0xfffff000L) << 32) | ((major & 0xfffL) << 8) | ((minor & 0xffffff00L) << 12) | (minor & 0xffL);
    }

    public static int major(long dev) {
        return (int) (((dev >>> 32) & 0xfffff000L) | ((dev >>> 8) & 0xfffL));
    }

    public static int minor(long dev) {
        return (int) (((dev >>> 12) & 0xffffff00L) | (dev & 0xffL));
    }

    /** mknod(2): {@code mode} holds the file type (S_IFCHR, S_IFBLK, S_IFIFO) and permission bits. */
    public static void mknod(String path, int mode, long dev) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.errnoState();
            int r = (int) MKNOD.call(arena.allocateFrom(path).address(), mode, dev);
            if (r < 0) throw Native.failure("mknod(" + path + ")", state);
        }
    }

    public static void lchown(String path, int uid, int gid) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.errnoState();
            int r = (int) LCHOWN.call(arena.allocateFrom(path).address(), uid, gid);
            if (r < 0) throw Native.failure("lchown(" + path + ")", state);
        }
    }

    /** chmod(2) with all twelve permission bits; not for symbolic links, whose mode Linux ignores. */
    public static void chmod(String path, int mode) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.errnoState();
            int r = (int) CHMOD.call(arena.allocateFrom(path).address(), mode & 07777);
            if (r < 0) throw Native.failure("chmod(" + path + ")", state);
        }
    }

    public static void setXattr(String path, String name, byte[] value, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.errnoState();
            MemorySegment data = arena.allocate(Math.max(1, value.length));
            MemorySegment.copy(value, 0, data, JAVA_BYTE, 0, value.length);
            int r = (int) LSETXATTR.call(arena.allocateFrom(path).address(), arena.allocateFrom(name).address(), data.address(),
                    (long) value.length, flags);
            if (r < 0) throw Native.failure("lsetxattr(" + path + ", " + name + ")", state);
        }
    }

    /** The value of an extended attribute, or null when the file does not have it. */
    public static byte[] getXattr(String path, String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.errnoState();
            MemorySegment cPath = arena.allocateFrom(path), cName = arena.allocateFrom(name);
            while (true) {
                long size = LGETXATTR.call(cPath.address(), cName.address(), 0, 0L);
                if (size < 0) {
                    if (Native.errno(state) == Errno.ENODATA) return null;
                    throw Native.failure("lgetxattr(" + path + ", " + name + ")", state);
                }
                MemorySegment buffer = arena.allocate(Math.max(1, size));
                long n = LGETXATTR.call(cPath.address(), cName.address(), buffer.address(), size);
                if (n < 0 && Native.errno(state) == Errno.ERANGE) continue;
                if (n < 0) throw Native.failure("lgetxattr(" + path + ", " + name + ")", state);
                return buffer.asSlice(0, n).toArray(JAVA_BYTE);
            }
        }
    }

    /** The names of a file's extended attributes (those this process may see). */
    public static List<String> listXattrs(String path) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.errnoState();
            MemorySegment cPath = arena.allocateFrom(path);
            while (true) {
                long size = LLISTXATTR.call(cPath.address(), 0, 0L);
                if (size < 0) {
                    if (Native.errno(state) == Errno.EOPNOTSUPP) return List.of();
                    throw Native.failure("llistxattr(" + path + ")", state);
                }
                if (size == 0) return List.of();
                MemorySegment buffer = arena.allocate(size);
                long n = LLISTXATTR.call(cPath.address(), buffer.address(), size);
                if (n < 0 && Native.errno(state) == Errno.ERANGE) continue;
                if (n < 0) throw Native.failure("llistxattr(" + path + ")", state);
                List<String> names = new ArrayList<>();
                byte[] bytes = buffer.asSlice(0, n).toArray(JAVA_BYTE);
                int start = 0;
                for (int i = 0; i < bytes.length; i++) {
                    if (bytes[i] == 0) {
                        if (i > start) names.add(new String(bytes, start, i - start, StandardCharsets.UTF_8));
                        start = i + 1;
                    }
                }
                return names;
            }
        }
    }

    /** Sets access and modification times of the file itself (a link is not followed). */
    public static void setTimes(String path, long atimeSeconds, int atimeNanos, long mtimeSeconds, int mtimeNanos) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.errnoState();
            MemorySegment times = arena.allocate(32);
            times.set(JAVA_LONG, 0, atimeSeconds);
            times.set(JAVA_LONG, 8, atimeNanos);
            times.set(JAVA_LONG, 16, mtimeSeconds);
            times.set(JAVA_LONG, 24, mtimeNanos);
            int r = (int) UTIMENSAT.call(AT_FDCWD, arena.allocateFrom(path).address(), times.address(), AT_SYMLINK_NOFOLLOW);
            if (r < 0) throw Native.failure("utimensat(" + path + ")", state);
        }
    }
}
