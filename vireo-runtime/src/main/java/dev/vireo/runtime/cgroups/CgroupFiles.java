package dev.vireo.runtime.cgroups;

import dev.vireo.runtime.ContainerException;

import dev.vireo.runtime.linux.ProcFiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reading and writing cgroup interface files, with errors that name the setting and the file. */
final class CgroupFiles {
    /** A line of a flat-keyed file: a key, then a number. */
    private static final Pattern KEY_VALUE = Pattern.compile("(\\S+)\\s+(-?\\d+)");

    private CgroupFiles() {}

    /** Writes {@code value} to an interface file that must exist (the kernel makes them, never we). */
    static void write(Path file, String value, String field) {
        try (Open open = open(file, field)) {
            open.write(value, field);
        }
    }

    /** An interface file open for writing; each value goes in one write(2), as the kernel parses it. */
    record Open(Path file, FileChannel channel) implements AutoCloseable {
        void write(String value, String field) {
            try {
                ByteBuffer bytes = ByteBuffer.wrap(value.getBytes(StandardCharsets.UTF_8));
                while (bytes.hasRemaining()) channel.write(bytes);
            } catch (IOException e) {
                throw new ContainerException(field + ": writing " + value.strip() + " to " + file + " failed: " + reason(e));
            }
        }

        @Override
        public void close() {
            try {
                channel.close();
            } catch (IOException e) {
                throw new ContainerException("closing " + file + " failed: " + reason(e));
            }
        }
    }

    /** Opens an interface file that must exist for several writes (device rules, one a write). */
    static Open open(Path file, String field) {
        try {
            return new Open(file, FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING));
        } catch (NoSuchFileException e) {
            throw new ContainerException(field + ": this host's cgroups have no " + file.getFileName()
                    + " (the controller is missing or disabled)");
        } catch (IOException e) {
            throw new ContainerException(field + ": opening " + file + " failed: " + reason(e));
        }
    }

    static String read(Path file) {
        try {
            return ProcFiles.read(file).strip();
        } catch (IOException e) {
            throw new ContainerException("reading " + file + " failed: " + reason(e));
        }
    }

    /** A number from a one-value file; 0 when the file does not exist; -1 for "max". */
    static long number(Path file) {
        if (!Files.exists(file)) return 0;
        String v = read(file);
        return v.equals("max") ? -1 : Long.parseLong(v);
    }

    /** A flat-keyed file such as memory.stat or cpu.stat: "key value" lines. */
    static Map<String, Long> keyed(Path file) {
        Map<String, Long> values = new HashMap<>();
        if (!Files.exists(file)) return values;
        for (String line : read(file).split("\n")) {
            Matcher kv = KEY_VALUE.matcher(line.trim());
            if (kv.matches()) values.put(kv.group(1), Long.parseLong(kv.group(2)));
        }
        return values;
    }

    static List<Integer> pids(Path procs) {
        List<Integer> pids = new ArrayList<>();
        if (!Files.exists(procs)) return pids;
        for (String line : read(procs).split("\n")) {
            if (!line.isBlank()) pids.add(Integer.parseInt(line.trim()));
        }
        return pids;
    }

    static String reason(IOException e) {
        return e instanceof FileSystemException f && f.getReason() != null ? f.getReason() : e.getMessage();
    }
}
