package dev.vireo.image;

import dev.vireo.oci.Digest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A command killed with SIGKILL in the middle of a write leaves the store consistent. */
class KillTest {
    @TempDir
    Path root;

    @Test
    void blobWriterKilledMidwayLeavesNoVisibleBlobAndTheStoreRecovers() throws Exception {
        byte[] content = new byte[16 << 20];
        new Random(7).nextBytes(content);
        Digest digest = Digest.sha256(content);

        Process child = new ProcessBuilder(childCommand(BlobWriterMain.class, root.toString(), digest.toString(),
                Long.toString(content.length))).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (OutputStream stdin = child.getOutputStream();
             BufferedReader stdout = new BufferedReader(new InputStreamReader(child.getInputStream()))) {
            stdin.write(content, 0, 6 << 20);
            stdin.flush();
            // The first progress line comes after 4 MiB reached the temporary file: kill it there.
            String line = stdout.readLine();
            assertTrue(line != null && line.startsWith("writing"), "child said " + line);
            // The writer holds its lease: garbage collection in this process must not start now.
            assertTrue(ImageStore.open(root).collectIfIdle().isEmpty(), "GC ran while another process wrote");
            child.destroyForcibly();
            assertEquals(137, child.waitFor());
        }

        ImageStore store = ImageStore.open(root);
        assertFalse(store.hasBlob(digest), "a half-written blob is visible");
        // The kernel dropped the killed process's lock with its descriptors.
        assertTrue(store.collectIfIdle().isPresent());
        try (ImageStore.Lease _ = store.lease()) {
            store.putBlob("x", new ByteArrayInputStream(content), digest, content.length, Progress.NONE);
        }
        assertTrue(store.hasBlob(digest));
        assertEquals(0, count(store.directory().resolve("tmp")), "garbage collection removed the killed write's temporary file");
    }

    /** The java command that runs {@code main} of a test class with this JVM's module and class path as a class path. */
    static List<String> childCommand(Class<?> main, String... args) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> path = new ArrayList<>();
        for (String property : List.of("jdk.module.path", "java.class.path")) {
            String value = System.getProperty(property);
            if (value != null && !value.isBlank()) path.add(value);
        }
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow", "-cp", String.join(File.pathSeparator, path), main.getName()));
        command.addAll(List.of(args));
        return command;
    }

    private static long count(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }
}
