package dev.vireo.cli;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code vireo build} end to end through the built ./vireo: RUN steps in real containers, the cache, failures. */
class BuildIT {
    @TempDir
    Path dir;
    Path root;
    Path ctx;

    record Result(int status, String out, String err) {}

    @BeforeEach
    void busybox() throws Exception {
        boolean isRoot = "root".equals(System.getProperty("user.name"));
        if (!isRoot) System.err.println("skipping: vireo build needs root (overlay mounts, containers)");
        Assumptions.assumeTrue(isRoot, "needs root");
        root = dir.resolve("state");
        ctx = Files.createDirectories(dir.resolve("context"));
        Result made = run(List.of(Project.ROOT.resolve("scripts/make-busybox-image").toString(), "--quiet", "--root", root.toString()));
        assertEquals(0, made.status(), made.err());
    }

    @Test
    void multiStageBuildCopiesFromAnEarlierStageAndRecordsTheConfig() throws Exception {
        write(".dockerignore", "*.secret\n");
        write("app.secret", "never copied");
        write("src/app.sh", "echo app\n");
        write("Dockerfile", """
                FROM busybox AS build
                ARG VERSION=1.0
                WORKDIR /build
                COPY src/ .
                RUN echo "version $VERSION" > out.txt && cat app.sh >> out.txt

                FROM busybox AS unused
                RUN exit 42

                FROM busybox
                COPY --from=build --chown=1:1 /build/out.txt /opt/
                COPY . /ctx/
                ENV MODE=production
                LABEL org.example.name=demo
                EXPOSE 8080/tcp
                USER 1:1
                ENTRYPOINT ["/bin/sh", "-c"]
                CMD ["cat /opt/out.txt"]
                """);
        Result built = vireo("build", "--root", root.toString(), "--build-arg", "VERSION=2.5", "-t", "demo:1", ctx.toString());
        assertEquals(0, built.status(), built.err());
        assertTrue(built.err().contains("STEP 1/14: FROM busybox AS build"), built.err());
        assertFalse(built.err().contains("RUN exit 42"), "a stage the target does not need is not built");

        Result inspect = vireo("image", "inspect", "--root", root.toString(), "demo:1");
        assertTrue(inspect.out().contains("\"MODE=production\""), inspect.out());
        assertTrue(inspect.out().contains("\"org.example.name\": \"demo\""), inspect.out());
        assertTrue(inspect.out().contains("\"8080/tcp\""), inspect.out());
        assertTrue(inspect.out().contains("\"User\": \"1:1\""), inspect.out());
        assertTrue(inspect.out().contains("\"cat /opt/out.txt\""), inspect.out());
        assertTrue(built.out().strip().matches("[0-9a-f]{64}"), built.out());
        assertTrue(inspect.out().contains("sha256:" + built.out().strip()), inspect.out());

        Result mounted = vireo("image", "mount", "--root", root.toString(), "demo:1", "check");
        assertEquals(0, mounted.status(), mounted.err());
        Path merged = Path.of(mounted.out().strip());
        try {
            assertEquals("version 2.5\necho app\n", Files.readString(merged.resolve("opt/out.txt")));
            assertEquals(1, Files.getAttribute(merged.resolve("opt/out.txt"), "unix:uid"));
            assertTrue(Files.exists(merged.resolve("ctx/Dockerfile")));
            assertFalse(Files.exists(merged.resolve("ctx/app.secret")), ".dockerignore keeps the secret out");
            assertFalse(Files.exists(merged.resolve("etc/resolv.conf")), "RUN's mount points are not part of a layer");
        } finally {
            vireo("image", "unmount", "--root", root.toString(), "check");
        }
    }

    @Test
    void unchangedRebuildHitsTheCacheAndAChangedFileRerunsOnlyTheStepsAfterIt() throws Exception {
        write("first.txt", "one");
        write("second.txt", "two");
        write("Dockerfile", """
                FROM busybox
                COPY first.txt /
                RUN echo ran-after-first
                COPY second.txt /
                RUN echo ran-after-second && cat /second.txt
                """);
        Result cold = vireo("build", "--root", root.toString(), "-t", "cached:1", ctx.toString());
        assertEquals(0, cold.status(), cold.err());
        assertTrue(cold.err().lines().anyMatch(l -> l.equals("ran-after-first")), cold.err());
        assertTrue(cold.err().lines().anyMatch(l -> l.equals("ran-after-second")), cold.err());

        // The cache is a GC root: pruning the store keeps it.
        assertEquals(0, vireo("image", "prune", "--root", root.toString()).status());
        Result warm = vireo("build", "--root", root.toString(), "-t", "cached:1", ctx.toString());
        assertEquals(0, warm.status(), warm.err());
        assertEquals(cold.out(), warm.out(), "an unchanged build gives the same image");
        assertEquals(4, warm.err().lines().filter(l -> l.startsWith("--> Using cache")).count(), warm.err());
        assertFalse(warm.err().lines().anyMatch(l -> l.startsWith("ran-after")), warm.err());

        write("second.txt", "changed\n");
        Result changed = vireo("build", "--root", root.toString(), "-t", "cached:1", ctx.toString());
        assertEquals(0, changed.status(), changed.err());
        assertEquals(2, changed.err().lines().filter(l -> l.startsWith("--> Using cache")).count(), changed.err());
        assertFalse(changed.err().lines().anyMatch(l -> l.equals("ran-after-first")), changed.err());
        assertTrue(changed.err().lines().anyMatch(l -> l.equals("ran-after-second")), changed.err());
        assertTrue(changed.err().lines().anyMatch(l -> l.equals("changed")), changed.err());

        Result noCache = vireo("build", "--root", root.toString(), "--no-cache", "-t", "cached:1", ctx.toString());
        assertEquals(0, noCache.status(), noCache.err());
        assertFalse(noCache.err().contains("Using cache"), noCache.err());
    }

    @Test
    void failingRunSaysWhichStepAndItsStatusAndExitsOne() throws Exception {
        write("Dockerfile", "FROM busybox\nENV A=1\nRUN echo before-failing && exit 3\nRUN echo never\n");
        Result failed = vireo("build", "--root", root.toString(), "-t", "broken", ctx.toString());
        assertEquals(1, failed.status(), failed.err());
        String last = failed.err().strip().lines().reduce((a, b) -> b).orElse("");
        assertTrue(last.startsWith("vireo build: STEP 3/4"), last);
        assertTrue(last.contains("Dockerfile:3 RUN") && last.contains("exit status 3"), last);
        assertTrue(failed.err().lines().anyMatch(l -> l.equals("before-failing")), "RUN's output is streamed: " + failed.err());
        assertFalse(failed.err().lines().anyMatch(l -> l.equals("never")));
        assertEquals(0, count(root.resolve("image/rootfs")), "the failed step's root filesystem is gone");
        assertFalse(Files.readString(Path.of("/proc/self/mounts")).contains(root.toString()), "nothing stays mounted");
        assertTrue(vireo("images", "--root", root.toString()).out().lines().noneMatch(l -> l.startsWith("broken")));
    }

    @Test
    void dockerfileErrorsNameFileLineAndInstructionAndExitTwo() throws Exception {
        write("Dockerfile", "FROM busybox\n\nCOPY --chown=1 \\\n  only-one-argument\n");
        Result bad = vireo("build", "--root", root.toString(), ctx.toString());
        assertEquals(2, bad.status(), bad.err());
        assertEquals("vireo build: " + ctx.resolve("Dockerfile") + ":3: COPY: COPY requires at least two arguments, but only 1 was "
                + "provided. Destination could not be determined.", bad.err().strip());

        write("Other.dockerfile", "FROM busybox\nRUN true\nCOPY missing.txt /\n");
        Result missing = vireo("build", "--root", root.toString(), "-f", ctx.resolve("Other.dockerfile").toString(), ctx.toString());
        assertEquals(2, missing.status(), missing.err());
        assertTrue(missing.err().strip().endsWith(":3: COPY: file not found in build context or excluded by .dockerignore: missing.txt"),
                missing.err());

        write("Dockerfile", "FROM busybox\nFROBNICATE now\n");
        Result unknown = vireo("build", "--root", root.toString(), ctx.toString());
        assertEquals(2, unknown.status());
        assertTrue(unknown.err().strip().endsWith("Dockerfile:2: unknown instruction: FROBNICATE"), unknown.err());
    }

    @Test
    void buildKilledAtAnyPointLeavesTheStoreConsistent() throws Exception {
        write("data.txt", "payload");
        write("Dockerfile", "FROM busybox\nCOPY data.txt /\nRUN echo started-sleeping && sleep 3131\n");
        // Killed early, wherever it happens to be (resolving, hashing, unpacking, committing).
        killWhenSeen("STEP 2/3");
        // Killed while its RUN container runs: the container, its mount and its state are left behind.
        killWhenSeen("started-sleeping");

        assertTrue(sleeping(), "the killed build's container is still running");
        write("Dockerfile", "FROM busybox\nCOPY data.txt /\nRUN echo second-build\n");
        Result next = vireo("build", "--root", root.toString(), "-t", "after-kill", ctx.toString());
        assertEquals(0, next.status(), next.err());
        assertTrue(next.err().lines().anyMatch(l -> l.equals("second-build")), next.err());
        assertFalse(sleeping(), "the next build stopped the abandoned container");
        assertEquals(0, count(root.resolve("image/rootfs")), "and removed its root filesystem");
        assertEquals(0, count(root.resolve("build/sessions")));
        assertFalse(Files.readString(Path.of("/proc/self/mounts")).contains(root.toString()), "nothing stays mounted");

        Result prune = vireo("image", "prune", "--root", root.toString());
        assertEquals(0, prune.status(), prune.err());
        assertEquals(0, count(root.resolve("image/tmp")));
        Result again = vireo("build", "--root", root.toString(), "-t", "after-kill", ctx.toString());
        assertEquals(0, again.status(), again.err());
        assertEquals(2, again.err().lines().filter(l -> l.startsWith("--> Using cache")).count(), again.err());
        assertEquals(next.out(), again.out());
    }

    /** Starts a build, reads its output until a line is {@code marker} (or starts with it and ':'), and kills it with SIGKILL. */
    private void killWhenSeen(String marker) throws Exception {
        List<String> command = new ArrayList<>(List.of(Project.VIREO.toString(), "build", "--root", root.toString(), "-t", "killed",
                ctx.toString()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        StringBuilder seen = new StringBuilder();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                seen.append(line).append('\n');
                if (line.equals(marker) || line.startsWith(marker + ":")) break;
            }
            assertTrue(seen.toString().contains(marker), seen.toString());
            p.destroyForcibly();
            assertEquals(137, p.waitFor(), "killed with SIGKILL");
        }
    }

    /** Whether a {@code sleep 3131} runs anywhere (its argv, as /proc has it: busybox's applets share one executable). */
    private static boolean sleeping() throws IOException {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().matches("\\d+")).anyMatch(p -> {
                try {
                    return new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8).equals("sleep\u00003131\u0000");
                } catch (IOException e) {
                    return false; // the process ended meanwhile
                }
            });
        }
    }

    private void write(String path, String content) throws IOException {
        Path p = ctx.resolve(path);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
    }

    private Result vireo(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Project.VIREO.toString());
        command.addAll(List.of(args));
        return run(command);
    }

    private Result run(List<String> command) throws IOException, InterruptedException {
        Path errFile = Files.createTempFile(dir, "stderr", ".txt");
        Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectError(errFile.toFile()).start();
        byte[] out = p.getInputStream().readAllBytes();
        int status = p.waitFor();
        return new Result(status, new String(out, StandardCharsets.UTF_8), Files.readString(errFile));
    }

    private static long count(Path p) throws IOException {
        if (!Files.exists(p)) return 0;
        try (Stream<Path> s = Files.list(p)) {
            return s.count();
        }
    }
}
