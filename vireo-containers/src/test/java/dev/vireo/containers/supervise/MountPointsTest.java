package dev.vireo.containers.supervise;

import dev.vireo.containers.RuntimeSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Mount points the runtime makes are taken out of the upper layer after the container, unless written to. */
class MountPointsTest {
    @TempDir
    Path dir;

    private static RuntimeSpec spec(List<String> destinations) {
        List<RuntimeSpec.Mount> mounts = destinations.stream()
                .map(d -> new RuntimeSpec.Mount(d, "bind", "/x", List.of("rbind"))).toList();
        return new RuntimeSpec(null, Path.of("/"), null, mounts, Map.of(), null);
    }

    @Test
    void madeMountPointsGoAndWhatTheContainerWroteStays() throws IOException {
        Path rootfs = dir.resolve("rootfs");
        Files.createDirectories(rootfs.resolve("etc"));
        Files.writeString(rootfs.resolve("etc/passwd"), "root:x:0:0::/:/bin/sh\n");
        Files.createDirectories(dir.resolve("rootfs/proc"));
        Path state = Files.createDirectories(dir.resolve("state"));
        MountPoints.record(spec(List.of("/proc", "/etc/hosts", "/data/a/b", "/srv/out")), rootfs, state);
        assertEquals(List.of("/etc/hosts", "/data", "/data/a", "/data/a/b", "/srv", "/srv/out"),
                Files.readAllLines(state.resolve("mountpoints")));

        // What the runtime left in the upper layer, and what the container wrote there.
        Path upper = Files.createDirectories(dir.resolve("upper"));
        Files.createDirectories(upper.resolve("etc"));
        Files.createFile(upper.resolve("etc/hosts"));
        Files.createDirectories(upper.resolve("data/a/b"));
        Files.createDirectories(upper.resolve("srv/out"));
        Files.writeString(upper.resolve("srv/written"), "kept");
        MountPoints.removeFrom(upper, state);

        assertFalse(Files.exists(upper.resolve("etc/hosts")));
        assertFalse(Files.exists(upper.resolve("data")));
        assertFalse(Files.exists(upper.resolve("srv/out")));
        assertTrue(Files.exists(upper.resolve("srv/written")), "a directory the container wrote in stays");
        assertFalse(Files.exists(state.resolve("mountpoints")));
    }
}
