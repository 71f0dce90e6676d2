package dev.vireo.sys;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NativeCallsTest {

    @Test
    void failedOpenNamesTheCallAndTheErrno() {
        SysException e = assertThrows(SysException.class, () -> FileIo.open("/nonexistent/vireo", FileIo.O_RDONLY));
        assertEquals(Errno.ENOENT, e.errno());
        assertEquals("open(/nonexistent/vireo): ENOENT (No such file or directory)", e.getMessage());
    }

    @Test
    void ioctlNumbersMatchTheKernelHeaders() {
        // Values from <linux/kvm.h> as compiled for x86-64.
        assertEquals(0xAE00L, IoctlRequest.io("KVM_GET_API_VERSION", 0xAE, 0x00).number());
        assertEquals(0xAE80L, IoctlRequest.io("KVM_RUN", 0xAE, 0x80).number());
        assertEquals(0x4020AE46L, IoctlRequest.iow("KVM_SET_USER_MEMORY_REGION", 0xAE, 0x46, 32).number());
        assertEquals(0x8090AE81L, IoctlRequest.ior("KVM_GET_REGS", 0xAE, 0x81, 144).number());
    }

    @Test
    void ioctlOnAFileThatIsNoTerminalFailsWithEnotty(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("plain"), "x");
        try (Fd fd = FileIo.open(file.toString(), FileIo.O_RDONLY)) {
            IoctlRequest tcgets = new IoctlRequest("TCGETS", 0x5401);
            SysException e = assertThrows(SysException.class, () -> Ioctl.call(fd, tcgets, 0L));
            assertEquals(Errno.ENOTTY, e.errno());
            assertTrue(e.getMessage().startsWith("ioctl(TCGETS): ENOTTY"));
        }
    }

    @Test
    void readsAndWritesThroughDescriptors(@org.junit.jupiter.api.io.TempDir Path dir) {
        String path = dir.resolve("data").toString();
        try (Arena arena = Arena.ofConfined();
             Fd fd = FileIo.open(path, FileIo.O_RDWR | FileIo.O_CREAT, 0644)) {
            MemorySegment out = arena.allocateFrom("vireo");
            assertEquals(6, FileIo.pwrite(fd, out, 10));
            MemorySegment in = arena.allocate(6);
            assertEquals(6, FileIo.pread(fd, in, 10));
            assertEquals("vireo", in.getString(0));
        }
    }

    @Test
    void closeIsIdempotent() {
        Fd fd = FileIo.open("/dev/null", FileIo.O_RDONLY);
        fd.close();
        fd.close();
        assertFalse(fd.isOpen());
    }

    @Test
    void anonymousMappingIsZeroedWritableAndUnmappedWithItsArena() {
        MemorySegment mapping;
        try (Arena arena = Arena.ofShared()) {
            mapping = Mmap.anonymous(1 << 20, Mmap.PROT_READ | Mmap.PROT_WRITE, Mmap.MAP_NORESERVE, arena);
            assertEquals(0L, mapping.get(ValueLayout.JAVA_LONG, 4096));
            mapping.set(ValueLayout.JAVA_LONG, 4096, 42L);
            assertEquals(42L, mapping.get(ValueLayout.JAVA_LONG, 4096));
            Mmap.madvise(mapping.asSlice(0, 8192), Mmap.MADV_DONTNEED);
            assertEquals(0L, mapping.get(ValueLayout.JAVA_LONG, 4096));
        }
        assertFalse(mapping.scope().isAlive());
    }

    @Test
    void eventFdCountsSignals() {
        try (EventFd event = EventFd.create(0, 0)) {
            event.signal(2);
            event.signal(3);
            assertEquals(5L, event.await());
        }
    }

    @Test
    void errnoNamesFollowLinuxNumbering() {
        assertEquals("EACCES", Errno.name(13));
        assertEquals("EOPNOTSUPP", Errno.name(95));
        assertEquals("errno 4000", Errno.name(4000));
    }
}
