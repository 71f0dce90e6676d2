package dev.vireo.runtime.linux;

import dev.vireo.sys.Errno;
import dev.vireo.sys.Fd;
import dev.vireo.sys.FileIo;
import dev.vireo.sys.SysException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reading kernel files (/proc, /sys, cgroupfs), which report a size of 0. Files.readString
 * then reads one byte first, and a /proc/sys file answers a read that does not start at offset
 * 0 with nothing: "40" would come back as "4". One large read from the start is right; it is
 * made with open, read and close alone (a stream adds three fstat and two lseek calls), as the
 * runtime reads a dozen such files for each container.
 */
public final class ProcFiles {
    private static final int BUFFER = 16384;

    private ProcFiles() {}

    public static String read(Path file) throws IOException {
        try (Fd fd = FileIo.open(file.toString(), FileIo.O_RDONLY); Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(BUFFER);
            ByteArrayOutputStream text = new ByteArrayOutputStream();
            for (long n; (n = FileIo.read(fd, buffer)) > 0; ) text.writeBytes(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE));
            return text.toString(StandardCharsets.UTF_8);
        } catch (SysException e) {
            // A process gone while its /proc files are read: ESRCH.
            if (e.is(Errno.ENOENT) || e.is(Errno.ESRCH)) throw new NoSuchFileException(file.toString());
            throw new FileSystemException(file.toString(), null, Errno.describe(e.errno()));
        }
    }
}
