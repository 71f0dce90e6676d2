package dev.vireo.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/** Terminals: whether a descriptor is one, raw mode and back, and the window size. */
public final class Tty {
    private static final int TCSANOW = 0;
    /** glibc's struct termios is 60 bytes on x86-64. */
    private static final long TERMIOS_BYTES = 64;
    private static final IoctlRequest TIOCGWINSZ = new IoctlRequest("TIOCGWINSZ", 0x5413);
    private static final IoctlRequest TIOCSWINSZ = new IoctlRequest("TIOCSWINSZ", 0x5414);

    private static final Downcall ISATTY = Downcall.of("isatty");
    private static final Downcall TCGETATTR = Downcall.of("tcgetattr");
    private static final Downcall TCSETATTR = Downcall.of("tcsetattr");
    private static final Downcall CFMAKERAW = Downcall.of("cfmakeraw");

    private Tty() {}

    public static boolean isTerminal(int fd) {
        return (int) ISATTY.call(fd) == 1;
    }

    /** A terminal's settings as they were, to give back with {@link #restore}. */
    public record Settings(int fd, byte[] termios) {}

    /** Puts the terminal on {@code fd} in raw mode (no echo, no line editing, no signals from keys). */
    public static Settings makeRaw(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment termios = arena.allocate(TERMIOS_BYTES, 8);
            MemorySegment state = Native.errnoState();
            if ((int) TCGETATTR.call(fd, termios.address()) < 0) throw Native.failure("tcgetattr(" + fd + ")", state);
            Settings saved = new Settings(fd, termios.toArray(JAVA_BYTE));
            CFMAKERAW.call(termios.address());
            if ((int) TCSETATTR.call(fd, TCSANOW, termios.address()) < 0) throw Native.failure("tcsetattr(" + fd + ")", state);
            return saved;
        }
    }

    public static void restore(Settings settings) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment termios = arena.allocateFrom(JAVA_BYTE, settings.termios());
            MemorySegment state = Native.errnoState();
            if ((int) TCSETATTR.call(settings.fd(), TCSANOW, termios.address()) < 0) {
                throw Native.failure("tcsetattr(" + settings.fd() + ")", state);
            }
        }
    }

    /** The window size of the terminal on {@code fd}: {@code [rows, columns]}. */
    public static int[] windowSize(Fd fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment size = arena.allocate(8, 2);
            Ioctl.call(fd, TIOCGWINSZ, size);
            return new int[] {Short.toUnsignedInt(size.get(JAVA_SHORT, 0)), Short.toUnsignedInt(size.get(JAVA_SHORT, 2))};
        }
    }

    public static void setWindowSize(Fd fd, int rows, int columns) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment size = arena.allocate(8, 2);
            size.set(JAVA_SHORT, 0, (short) rows);
            size.set(JAVA_SHORT, 2, (short) columns);
            Ioctl.call(fd, TIOCSWINSZ, size);
        }
    }
}
