package dev.vireo.containers.supervise;

import dev.vireo.containers.StartFailedException;
import dev.vireo.sys.Fd;
import dev.vireo.sys.FileIo;
import dev.vireo.sys.Pipes;
import dev.vireo.sys.Processes;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The detached monitor of {@code vireo run -d}: a process of its own (a new session, so the
 * terminal's signals and the caller's exit leave it alone) that becomes the container's parent
 * and runs the {@link Supervisor}. It reports on descriptor 3 once the container runs
 * ({@code ok}) or could not start ({@code error STATUS MESSAGE}), and the caller returns then.
 */
public final class Monitor {
    /** The descriptor on which a monitor reports. */
    public static final int READY_FD = 3;

    private Monitor() {}

    /**
     * Starts {@code command} (which runs {@link #report} in the new process) with its output in
     * {@code log}, and waits for its report: its PID once the container runs.
     */
    public static int launch(List<String> command, Path log) {
        Fd[] ready = Pipes.pipe();
        int pid;
        try (Fd in = FileIo.open("/dev/null", FileIo.O_RDONLY);
             Fd out = FileIo.open(log.toString(), FileIo.O_WRONLY | FileIo.O_CREAT | FileIo.O_APPEND, 0640)) {
            List<String> env = new ArrayList<>();
            for (Map.Entry<String, String> e : System.getenv().entrySet()) env.add(e.getKey() + "=" + e.getValue());
            pid = Processes.spawn(command.getFirst(), command, env, List.of(in, out, out, ready[1]), true);
        } finally {
            ready[1].close();
        }
        String report;
        try (Fd reader = ready[0]) {
            report = readAll(reader);
        }
        if (report.startsWith("ok")) return pid;
        // No report: the monitor died before the container ran; its reason is in its log.
        Processes.waitpid(pid, 0);
        if (!report.startsWith("error ")) {
            throw new StartFailedException(StartFailedException.ENGINE, "the container's monitor exited before the container "
                    + "started (its output is in " + log + ")", null);
        }
        String[] parts = report.strip().split(" ", 3);
        throw new StartFailedException(Integer.parseInt(parts[1]), parts.length > 2 ? parts[2] : "the container did not start", null);
    }

    /** In the monitor: tells the caller the container runs ({@code null}) or why it did not. */
    public static void report(StartFailedException failure) {
        String line = failure == null ? "ok\n"
                : "error " + failure.exitStatus() + " " + String.valueOf(failure.getMessage()).replace('\n', ' ') + "\n";
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        try (Arena arena = Arena.ofConfined(); Fd fd = Fd.own(READY_FD)) {
            MemorySegment buffer = arena.allocateFrom(ValueLayout.JAVA_BYTE, bytes);
            long done = 0;
            while (done < bytes.length) done += FileIo.write(fd, buffer.asSlice(done));
        }
    }

    private static String readAll(Fd fd) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(4096);
            long n;
            while ((n = FileIo.read(fd, buffer)) > 0) out.write(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), 0, (int) n);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
