package dev.vireo.containers.logs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CRI log format: what the writer makes of output in pieces, and the reader gives back. */
class CriLogTest {
    private static final Pattern RECORD = Pattern.compile(
            "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z (stdout|stderr) [FP] .*");

    @TempDir
    Path dir;

    private static void write(CriLogWriter w, int stream, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        w.write(stream, b, 0, b.length);
    }

    @Test
    void eachLineIsOneRecordWithItsStreamAndTime() throws IOException {
        Path log = dir.resolve("ctr.log");
        try (CriLogWriter w = new CriLogWriter(new FileOutputStream(log.toFile()))) {
            write(w, 1, "hel");
            write(w, 2, "oops\n");
            write(w, 1, "lo\nworld\n");
        }
        List<String> lines = Files.readAllLines(log);
        assertEquals(3, lines.size(), lines.toString());
        for (String l : lines) assertTrue(RECORD.matcher(l).matches(), l);
        assertTrue(lines.get(0).endsWith(" stderr F oops"));
        assertTrue(lines.get(1).endsWith(" stdout F hello"));
        assertTrue(lines.get(2).endsWith(" stdout F world"));
    }

    @Test
    void longLinesAndUnterminatedOutputArePartialRecordsThatReadBackExactly() throws IOException {
        Path log = dir.resolve("ctr.log");
        String longLine = "x".repeat(CriLogWriter.MAX_LINE * 2 + 5);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        try (CriLogWriter w = new CriLogWriter(new FileOutputStream(log.toFile()))) {
            for (String piece : List.of(longLine.substring(0, 1000), longLine.substring(1000), "\n", "tail without newline")) {
                write(w, 1, piece);
                expected.writeBytes(piece.getBytes(StandardCharsets.UTF_8));
            }
        }
        List<String> lines = Files.readAllLines(log);
        assertEquals(List.of("P", "P", "F", "P"), lines.stream().map(l -> l.split(" ")[2]).toList());
        ByteArrayOutputStream read = new ByteArrayOutputStream();
        new CriLogReader(log).readAvailable((stream, time, content, offset, length, eol) -> {
            read.write(content, offset, length);
            if (eol) read.write('\n');
        });
        assertArrayEquals(expected.toByteArray(), read.toByteArray());
    }

    @Test
    void readerLeavesARecordBeingWrittenForTheNextRead() throws IOException {
        Path log = dir.resolve("ctr.log");
        Files.writeString(log, "2024-01-01T00:00:00.000000000Z stdout F one\n2024-01-01T00:00:01.000000000Z std");
        CriLogReader reader = new CriLogReader(log);
        List<String> seen = new ArrayList<>();
        reader.readAvailable((stream, time, content, offset, length, eol) ->
                seen.add(stream + " " + time + " " + new String(content, offset, length, StandardCharsets.UTF_8)));
        assertEquals(List.of("1 2024-01-01T00:00:00.000000000Z one"), seen);
        Files.writeString(log, "err F two\n", StandardOpenOption.APPEND);
        reader.readAvailable((stream, time, content, offset, length, eol) ->
                seen.add(stream + " " + time + " " + new String(content, offset, length, StandardCharsets.UTF_8)));
        assertEquals("2 2024-01-01T00:00:01.000000000Z two", seen.get(1));
        assertEquals(0, reader.readAvailable((s, t, c, o, l, e) -> seen.add("again")));
    }

    @Test
    void timesHaveAllNineFractionDigits() {
        assertEquals("2024-03-05T07:08:09.000001200Z", CriTime.format(Instant.parse("2024-03-05T07:08:09.0000012Z")));
        assertEquals("1999-12-31T23:59:59.000000000Z", CriTime.format(Instant.parse("1999-12-31T23:59:59Z")));
    }
}
