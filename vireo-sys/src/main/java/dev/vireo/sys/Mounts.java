package dev.vireo.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * mount(2) and umount2(2), and the newer file-system-context calls (fsopen, fsconfig, fsmount,
 * move_mount) that take options one by one instead of in one page of text.
 */
public final class Mounts {
    public static final long MS_RDONLY = 1, MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8, MS_REMOUNT = 32,
            MS_BIND = 4096, MS_MOVE = 8192, MS_REC = 16384, MS_PRIVATE = 1 << 18, MS_SLAVE = 1 << 19;
    public static final int MNT_FORCE = 1, MNT_DETACH = 2, UMOUNT_NOFOLLOW = 8;
    /** The most that mount(2) copies of its data argument: one page. */
    public static final int MAX_DATA = 4095;

    private static final int FSOPEN_CLOEXEC = 1, FSMOUNT_CLOEXEC = 1, FSCONFIG_SET_STRING = 1,
            FSCONFIG_CMD_CREATE = 6, MOVE_MOUNT_F_EMPTY_PATH = 4, AT_FDCWD = -100;

    private static final Downcall MOUNT = Downcall.of("mount");
    private static final Downcall UMOUNT2 = Downcall.of("umount2");
    private static final Downcall FSOPEN = Downcall.of("fsopen");
    private static final Downcall FSCONFIG = Downcall.of("fsconfig");
    private static final Downcall FSMOUNT = Downcall.of("fsmount");
    private static final Downcall MOVE_MOUNT = Downcall.of("move_mount");

    private Mounts() {}

    /** mount(2); {@code source}, {@code type} and {@code data} may be null. */
    public static void mount(String source, String target, String type, long flags, String data) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.errnoState();
            int r = (int) MOUNT.call(text(arena, source).address(), arena.allocateFrom(target).address(), text(arena, type).address(),
                    flags, text(arena, data).address());
            if (r < 0) throw Native.failure("mount(" + (type == null ? "" : type + " ") + "on " + target + ")", state);
        }
    }

    public static void umount(String target, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.errnoState();
            int r = (int) UMOUNT2.call(arena.allocateFrom(target).address(), flags);
            if (r < 0) throw Native.failure("umount2(" + target + ")", state);
        }
    }

    /**
     * Mounts a file system of {@code type} on {@code target} through a file-system context, one
     * option at a time: {@code options} are (key, value) pairs in order, keys may repeat (as
     * overlayfs's {@code lowerdir+} does). A failure names the option and includes the kernel's
     * own message from the context when it left one.
     */
    public static void mountWithContext(String type, String target, List<Map.Entry<String, String>> options) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Native.errnoState();
            int fsfd = (int) FSOPEN.call(arena.allocateFrom(type).address(), FSOPEN_CLOEXEC);
            if (fsfd < 0) throw Native.failure("fsopen(" + type + ")", state);
            try (Fd context = Fd.own(fsfd)) {
                for (Map.Entry<String, String> option : options) {
                    int r = (int) FSCONFIG.call(fsfd, FSCONFIG_SET_STRING, arena.allocateFrom(option.getKey()).address(),
                            text(arena, option.getValue()).address(), 0);
                    if (r < 0) throw withLog(Native.failure("fsconfig(" + option.getKey() + ")", state), context);
                }
                int r = (int) FSCONFIG.call(fsfd, FSCONFIG_CMD_CREATE, 0, 0, 0);
                if (r < 0) throw withLog(Native.failure("fsconfig(create " + type + ")", state), context);
                int mfd = (int) FSMOUNT.call(fsfd, FSMOUNT_CLOEXEC, 0);
                if (mfd < 0) throw Native.failure("fsmount(" + type + ")", state);
                try (Fd mounted = Fd.own(mfd)) {
                    r = (int) MOVE_MOUNT.call(mfd, arena.allocateFrom("").address(), AT_FDCWD,
                            arena.allocateFrom(target).address(), MOVE_MOUNT_F_EMPTY_PATH);
                    if (r < 0) throw Native.failure("move_mount(" + target + ")", state);
                }
            }
        }
    }

    /** The kernel writes why a context refused an option into the context; reading it gives "e overlay: ...". */
    private static SysException withLog(SysException failure, Fd context) {
        StringBuilder log = new StringBuilder();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(1024);
            int flags = 0;
            while (true) {
                long n;
                try {
                    n = FileIo.read(context, buffer);
                } catch (SysException e) {
                    break;
                }
                if (n <= 0) break;
                if (log.length() > 0) log.append("; ");
                log.append(new String(buffer.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                        StandardCharsets.UTF_8).strip());
                flags++;
                if (flags > 8) break;
            }
        }
        return log.isEmpty() ? failure : new SysException(failure.call() + " [" + log + "]", failure.errno());
    }

    private static MemorySegment text(Arena arena, String value) {
        return value == null ? MemorySegment.NULL : arena.allocateFrom(value);
    }
}
