package dev.vireo.runtime.linux;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reading kernel files (/proc, /sys, cgroupfs), which report a size of 0. Files.readString
 * then reads one byte first, and a /proc/sys file answers a read that does not start at offset
 * 0 with nothing: "40" would come back as "4". One large read from the start is right.
 */
public final class ProcFiles {
    private ProcFiles() {}

    public static String read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
