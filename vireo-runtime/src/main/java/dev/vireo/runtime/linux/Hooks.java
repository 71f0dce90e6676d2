package dev.vireo.runtime.linux;

import dev.vireo.runtime.ContainerException;
import dev.vireo.runtime.spec.Spec;
import dev.vireo.sys.Errno;
import dev.vireo.sys.Fd;
import dev.vireo.sys.FileIo;
import dev.vireo.sys.Pipes;
import dev.vireo.sys.Processes;
import dev.vireo.sys.Signals;

import dev.vireo.sys.SysException;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Hooks that run in the runtime's namespaces (prestart, createRuntime, poststart, poststop):
 * each gets the container's state JSON on stdin, exactly its own argv and environment, and its
 * timeout; its output is kept for the error message when it fails.
 */
public final class Hooks {
    private static final int KEEP_OUTPUT = 2048;

    private Hooks() {}

    /** Runs {@code hooks} in order; the first failure throws, naming {@code kind}[index]. */
    public static void run(List<Spec.Hook> hooks, String kind, String state) {
        if (hooks == null) return;
        for (int i = 0; i < hooks.size(); i++) run(hooks.get(i), kind + "[" + i + "]", state);
    }

    private static void run(Spec.Hook hook, String name, String state) {
        Fd[] in = Pipes.pipe(), out = Pipes.pipe();
        int pid;
        try {
            List<String> argv = hook.args() == null || hook.args().isEmpty() ? List.of(hook.path()) : hook.args();
            pid = Processes.spawn(hook.path(), argv, hook.env() == null ? List.of() : hook.env(),
                    List.of(in[0], out[1], out[1]), false);
        } catch (RuntimeException e) {
            closeAll(in, out);
            throw new ContainerException("hooks." + name + " (" + hook.path() + "): " + e.getMessage());
        }
        in[0].close();
        out[1].close();
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> drain(out[0]), Thread::startVirtualThread);
        writeQuietly(in[1], state.getBytes(StandardCharsets.UTF_8));
        in[1].close();
        try (Fd pidfd = Processes.pidfdOpen(pid)) {
            int timeout = hook.timeout() == null ? -1 : hook.timeout() * 1000;
            if (Processes.poll(List.of(pidfd), timeout) < 0) {
                Signals.send(pidfd, Signals.SIGKILL);
                Processes.waitpid(pid, 0);
                throw new ContainerException("hooks." + name + " (" + hook.path() + ") did not finish within its timeout of "
                        + hook.timeout() + " s");
            }
        }
        Processes.Exit exit = Processes.waitpid(pid, 0);
        String text = output.join().strip().replace('\n', ' ');
        String said = text.isEmpty() ? "" : ": " + text;
        switch (exit) {
            case Processes.Exit.Exited e when e.status() == 0 -> { }
            case Processes.Exit.Exited e -> throw new ContainerException("hooks." + name + " (" + hook.path()
                    + ") failed with exit status " + e.status() + said);
            case Processes.Exit.Signaled s -> throw new ContainerException("hooks." + name + " (" + hook.path()
                    + ") was killed by " + Signals.name(s.signal()) + said);
        }
    }

    /** The hook's output, its last {@value #KEEP_OUTPUT} bytes. */
    private static String drain(Fd fd) {
        ByteArrayOutputStream kept = new ByteArrayOutputStream();
        try (fd; Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(4096);
            long n;
            while ((n = FileIo.read(fd, buffer)) > 0) {
                kept.writeBytes(buffer.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE));
                if (kept.size() > KEEP_OUTPUT * 2) {
                    byte[] all = kept.toByteArray();
                    kept.reset();
                    kept.write(all, all.length - KEEP_OUTPUT, KEEP_OUTPUT);
                }
            }
        }
        return kept.toString(StandardCharsets.UTF_8);
    }

    /** A hook need not read its stdin; one that exits first closes the pipe, which is fine. */
    private static void writeQuietly(Fd fd, byte[] bytes) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocateFrom(ValueLayout.JAVA_BYTE, bytes);
            long done = 0;
            while (done < bytes.length) done += FileIo.write(fd, data.asSlice(done));
        } catch (SysException e) {
            if (!e.is(Errno.EPIPE)) throw e;
        }
    }

    private static void closeAll(Fd[]... pairs) {
        for (Fd[] pair : pairs) for (Fd fd : pair) fd.close();
    }
}
