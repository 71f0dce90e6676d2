package dev.vireo.containers.supervise;

import dev.vireo.sys.Errno;
import dev.vireo.sys.Fd;
import dev.vireo.sys.FileIo;
import dev.vireo.sys.SysException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** Keystrokes from this process's stdin to a container's terminal, until either side ends. */
final class InputPump {
    private InputPump() {}

    static void copy(Fd from, Fd to) {
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
}
