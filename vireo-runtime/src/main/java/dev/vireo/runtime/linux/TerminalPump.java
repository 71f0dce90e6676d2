package dev.vireo.runtime.linux;

import dev.vireo.sys.Errno;
import dev.vireo.sys.Fd;
import dev.vireo.sys.FileIo;
import dev.vireo.sys.SysException;
import dev.vireo.sys.Tty;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The inline terminal of {@code run} without a console socket, as runc gives one: this
 * process's terminal goes raw, keystrokes go to the container's pseudo-terminal and its output
 * comes back, until the container's side closes.
 */
public final class TerminalPump implements AutoCloseable {
    private static final Fd STDIN = Fd.own(0), STDOUT = Fd.own(1);

    private final Fd master;
    private final Tty.Settings saved;
    private final Thread output;

    private TerminalPump(Fd master, Tty.Settings saved, Thread output) {
        this.master = master;
        this.saved = saved;
        this.output = output;
    }

    public static TerminalPump start(Fd master) {
        Tty.Settings saved = null;
        if (Tty.isTerminal(0)) {
            int[] size = Tty.windowSize(STDIN);
            Tty.setWindowSize(master, size[0], size[1]);
            saved = Tty.makeRaw(0);
        }
        Thread.ofPlatform().daemon().name("vireo-tty-in").start(() -> copy(STDIN, master));
        Thread output = Thread.ofPlatform().daemon().name("vireo-tty-out").start(() -> copy(master, STDOUT));
        return new TerminalPump(master, saved, output);
    }

    /** Copies until end of input or an error; a pseudo-terminal reports its closed end as EIO. */
    private static void copy(Fd from, Fd to) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(8192);
            long n;
            while ((n = FileIo.read(from, buffer)) > 0) {
                long done = 0;
                while (done < n) done += FileIo.write(to, buffer.asSlice(done, n - done));
            }
        } catch (SysException e) {
            if (!e.is(Errno.EIO) && !e.is(Errno.EBADF)) throw e;
        }
    }

    /** Waits for the container's output to end, then gives the terminal its settings back. */
    @Override
    public void close() {
        try {
            output.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (saved != null) Tty.restore(saved);
            master.close();
        }
    }
}
