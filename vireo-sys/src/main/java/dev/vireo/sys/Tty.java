package dev.vireo.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/** Terminals: whether a descriptor is one, raw mode and back, and the window size. */
public final class Tty {
    private static final int TCSANOW = 0;
    /** glibc's struct termios is 60 bytes on x86-64. */
    private static final long TERMIOS_BYTES = 64;
    private static final IoctlRequest TIOCGWINSZ = new IoctlRequest("TIOCGWINSZ", 0x5413);
    private static final IoctlRequest TIOCSWINSZ = new IoctlRequest("TIOCSWINSZ", 0x5414);

    private static final Downcall ISATTY = Downcall.plain("isatty", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final Downcall TCGETATTR = Downcall.errno("tcgetattr",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    private static final Downcall TCSETATTR = Downcall.errno("tcsetattr",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final Downcall CFMAKERAW = Downcall.plain("cfmakeraw",
            FunctionDescriptor.ofVoid(ADDRESS));

    private Tty() {}

    public static boolean isTerminal(int fd) {
        try {
            return (int) ISATTY.handle().invokeExact(fd) == 1;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    /** A terminal's settings as they were, to give back with {@link #restore}. */
    public record Settings(int fd, byte[] termios) {}

    /** Puts the terminal on {@code fd} in raw mode (no echo, no line editing, no signals from keys). */
    public static Settings makeRaw(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment termios = arena.allocate(TERMIOS_BYTES, 8);
            MemorySegment state = Native.errnoState();
            if ((int) TCGETATTR.handle().invokeExact(state, fd, termios) < 0) throw Native.failure("tcgetattr(" + fd + ")", state);
            Settings saved = new Settings(fd, termios.toArray(JAVA_BYTE));
            CFMAKERAW.handle().invokeExact(termios);
            if ((int) TCSETATTR.handle().invokeExact(state, fd, TCSANOW, termios) < 0) throw Native.failure("tcsetattr(" + fd + ")", state);
            return saved;
        } catch (Throwable t) {
            throw Native.rethrow(t);
        }
    }

    public static void restore(Settings settings) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment termios = arena.allocateFrom(JAVA_BYTE, settings.termios());
            MemorySegment state = Native.errnoState();
            if ((int) TCSETATTR.handle().invokeExact(state, settings.fd(), TCSANOW, termios) < 0) {
                throw Native.failure("tcsetattr(" + settings.fd() + ")", state);
            }
        } catch (Throwable t) {
            throw Native.rethrow(t);
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
