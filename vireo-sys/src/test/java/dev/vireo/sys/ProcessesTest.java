package dev.vireo.sys;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProcessesTest {

    private static String readAll(Fd fd) {
        StringBuilder text = new StringBuilder();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(256);
            long n;
            while ((n = FileIo.read(fd, buffer)) > 0) text.append(new String(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE)));
        }
        return text.toString();
    }

    @Test
    void aSpawnedChildHasExactlyTheDescriptorsItWasGivenAndItsOwnEnvironment() {
        Fd[] out = Pipes.pipe();
        Fd[] extra = Pipes.pipe();
        try (Fd devNull = FileIo.open("/dev/null", FileIo.O_RDONLY)) {
            int pid = Processes.spawn("/bin/sh", List.of("sh", "-c", "echo $A; ls /proc/self/fd | wc -l; echo x >&3"),
                    List.of("A=set"), List.of(devNull, out[1], out[1], extra[1]), false);
            out[1].close();
            extra[1].close();
            assertEquals("set\n5\n", readAll(out[0]), "0, 1, 2, 3 and the descriptor ls reads /proc/self/fd with");
            assertEquals("x\n", readAll(extra[0]));
            assertEquals(new Processes.Exit.Exited(pid, 0), Processes.waitpid(pid, 0));
        } finally {
            out[0].close();
            extra[0].close();
        }
    }

    @Test
    void aPidfdPollsReadableWhenItsProcessEndsAndDeliversSignals() {
        try (Fd devNull = FileIo.open("/dev/null", FileIo.O_RDWR)) {
            int pid = Processes.spawn("/bin/sleep", List.of("sleep", "30"), List.of(), List.of(devNull, devNull, devNull), true);
            try (Fd pidfd = Processes.pidfdOpen(pid)) {
                assertEquals(-1, Processes.poll(List.of(pidfd), 0), "still running");
                Signals.send(pidfd, Signals.parse("SIGTERM"));
                assertEquals(0, Processes.poll(List.of(pidfd), 10_000));
            }
            Processes.Exit exit = Processes.waitpid(pid, 0);
            assertEquals(new Processes.Exit.Signaled(pid, Signals.SIGTERM), exit);
            assertEquals(143, exit.code());
        }
    }

    @Test
    void aSealedExecutableCannotBeWrittenButRuns() throws Exception {
        byte[] sh = Files.readAllBytes(Path.of("/bin/true"));
        try (Fd image = Processes.sealedExecutable("true-copy", sh); Fd devNull = FileIo.open("/dev/null", FileIo.O_RDWR)) {
            try (Fd writer = FileIo.open("/proc/self/fd/" + image.value(), FileIo.O_WRONLY); Arena arena = Arena.ofConfined()) {
                SysException e = assertThrows(SysException.class, () -> FileIo.write(writer, arena.allocate(4)));
                assertEquals(Errno.EPERM, e.errno(), "the seals refuse every write");
            }
            int pid = Processes.spawn(image, List.of("true"), List.of(), List.of(devNull, devNull, devNull), false);
            assertEquals(new Processes.Exit.Exited(pid, 0), Processes.waitpid(pid, 0));
        }
    }

    @Test
    void signalNamesNumbersAndRealTimeOffsetsParse() {
        assertEquals(9, Signals.parse("KILL"));
        assertEquals(9, Signals.parse("sigkill"));
        assertEquals(15, Signals.parse("15"));
        assertEquals(37, Signals.parse("SIGRTMIN+3"));
        assertEquals(63, Signals.parse("RTMAX-1"));
        assertEquals("SIGWINCH", Signals.name(28));
        assertEquals("unknown signal SIGFOO", assertThrows(IllegalArgumentException.class, () -> Signals.parse("SIGFOO")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Signals.parse("65"));
    }

    @Test
    void namespaceFilesTellTheirKind() {
        assertEquals(Namespaces.CLONE_NEWNET, Namespaces.typeOf("/proc/self/ns/net"));
        assertEquals(Namespaces.CLONE_NEWUTS, Namespaces.typeOf("/proc/self/ns/uts"));
        assertEquals(Namespaces.CLONE_NEWNS, Namespaces.typeOf("/proc/self/ns/mnt"));
        SysException e = assertThrows(SysException.class, () -> Namespaces.typeOf("/proc/self/status"));
        assertTrue(e.is(Errno.ENOTTY), e.getMessage());
    }
}
