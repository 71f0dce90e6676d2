package dev.vireo.runtime;

import dev.vireo.runtime.cgroups.Cgroups;
import dev.vireo.runtime.spec.Json;
import dev.vireo.runtime.spec.DefaultSpec;
import dev.vireo.runtime.spec.Spec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What the container tests share: the busybox root file system made by the project's own
 * script (with the test probe compiled into it), Docker's default config around a command,
 * and running a bundle under Vireo (through the Java API) or under runc (the Debian package).
 */
final class Fixtures {
    private static final AtomicInteger IDS = new AtomicInteger();
    private static Path rootfs;

    private Fixtures() {}

    /** Skips the test, saying why, unless this process is root. */
    static void requireRoot() {
        boolean root;
        try {
            root = ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!root) System.err.println("skipped: containers need root, and this test runs as another user");
        assumeTrue(root, "containers need root");
    }

    static void requireRunc() {
        boolean present = Files.isExecutable(Path.of("/usr/sbin/runc"));
        if (!present) System.err.println("skipped: runc (the Debian package) is not installed: scripts/setup installs it");
        assumeTrue(present, "runc is not installed");
    }

    static String id(String prefix) {
        return prefix + "-" + ProcessHandle.current().pid() + "-" + IDS.incrementAndGet();
    }

    static Path target() {
        return Path.of("target").toAbsolutePath();
    }

    /** The busybox root file system, made once per test run by scripts/make-busybox-bundle. */
    static synchronized Path rootfs() {
        if (rootfs != null) return rootfs;
        Path repo = Path.of("").toAbsolutePath();
        while (!Files.exists(repo.resolve("scripts/make-busybox-bundle"))) repo = repo.getParent();
        Path bundle = target().resolve("busybox-bundle");
        run(List.of(repo.resolve("scripts/make-busybox-bundle").toString(), bundle.toString()));
        Path probe = bundle.resolve("rootfs/bin/probe");
        run(List.of("gcc", "-static", "-O2", "-o", probe.toString(), repo.resolve("vireo-runtime/src/test/c/probe.c").toString()));
        rootfs = bundle.resolve("rootfs");
        return rootfs;
    }

    private static void run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Docker's defaults running {@code args} in the busybox root file system. */
    static Spec spec(String... args) {
        Spec s = DefaultSpec.create(List.of(args), Cgroups.detect().v2());
        return s.withRoot(new Spec.Root(rootfs().toString(), false));
    }

    static Path bundle(Path dir, Spec spec) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("config.json"), Json.write(spec));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What a container printed and how it ended. */
    record Result(int code, String out, String err, ExitStatus exit) {}

    static Result vireo(ContainerRuntime runtime, Path bundle) {
        Path out = bundle.resolve("vireo.out"), err = bundle.resolve("vireo.err");
        ExitStatus exit = runtime.run(id("v"), bundle, CreateOptions.withStdio(Stdio.toFiles(out, err)));
        return new Result(exit.code(), read(out), read(err), exit);
    }

    static Result runc(Path bundle) {
        List<String> command = new ArrayList<>(List.of("/usr/sbin/runc", "--root", target().resolve("runc-state").toString(),
                "run", "--bundle", bundle.toString(), id("r")));
        try {
            Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(bundle.resolve("runc.out").toFile()).redirectError(bundle.resolve("runc.err").toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("runc did not finish in 60 s");
            }
            return new Result(p.exitValue(), read(bundle.resolve("runc.out")), read(bundle.resolve("runc.err")), null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static ContainerRuntime runtime() {
        return ContainerRuntime.open(target().resolve("vireo-state"), w -> System.err.println("warning: " + w));
    }

    static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
