package dev.vireo.image.tar;

import dev.vireo.oci.BadContentException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TarFormatTest {
    private static final Instant T = Instant.ofEpochSecond(1_700_000_000L);

    @Test
    void writtenEntriesReadBackWithLongNamesLargeIdsAndXattrs() throws IOException {
        String longName = "dir/" + "n".repeat(150) + "/file-é.txt";
        String longLink = "/" + "l".repeat(200);
        byte[] content = "hello tar".getBytes(StandardCharsets.UTF_8);
        byte[] capability = {1, 0, 0, 2, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TarWriter w = new TarWriter(out);
        w.write(new TarEntry("dir", TarEntry.Type.DIRECTORY, 0755, 0, 0, 0, T, "", 0, 0, Map.of()), null);
        w.write(new TarEntry(longName, TarEntry.Type.FILE, 04755, 3_000_000, 7, content.length, T, "", 0, 0,
                Map.of("security.capability", capability, "user.note", "x".getBytes())), new ByteArrayInputStream(content));
        w.write(new TarEntry("link", TarEntry.Type.SYMLINK, 0777, 0, 0, 0, T, longLink, 0, 0, Map.of()), null);
        w.write(new TarEntry("dev/null", TarEntry.Type.CHAR, 0666, 0, 0, 0, T, "", 1, 3, Map.of()), null);
        w.finish();

        List<TarEntry> entries = new ArrayList<>();
        List<byte[]> contents = new ArrayList<>();
        try (TarReader r = new TarReader(new ByteArrayInputStream(out.toByteArray()))) {
            for (TarEntry e; (e = r.next()) != null; ) {
                entries.add(e);
                contents.add(r.content().readAllBytes());
            }
        }
        assertEquals(4, entries.size());
        assertEquals("dir/", entries.get(0).name());
        assertEquals(TarEntry.Type.DIRECTORY, entries.get(0).type());
        TarEntry file = entries.get(1);
        assertEquals(longName, file.name());
        assertEquals(04755, file.mode());
        assertEquals(3_000_000, file.uid());
        assertEquals(7, file.gid());
        assertEquals(T, file.mtime());
        assertArrayEquals(content, contents.get(1));
        assertArrayEquals(capability, file.xattrs().get("security.capability"));
        assertEquals(longLink, entries.get(2).linkName());
        assertEquals(1, entries.get(3).devMajor());
        assertEquals(3, entries.get(3).devMinor());
    }

    @Test
    void sameEntriesGiveTheSameBytes() throws IOException {
        assertArrayEquals(archive("a", "b"), archive("a", "b"));
    }

    @Test
    void readsWhatGnuTarWritesInGnuAndPosixFormats(@TempDir Path dir) throws Exception {
        Path src = dir.resolve("src");
        String deep = "d/" + "x".repeat(120);
        Files.createDirectories(src.resolve(deep));
        Files.writeString(src.resolve(deep).resolve("f"), "content");
        Files.createSymbolicLink(src.resolve("s"), Path.of("d/" + "y".repeat(130)));
        for (String format : List.of("gnu", "posix", "ustar")) {
            if (format.equals("ustar")) {
                Files.writeString(src.resolve("short"), "s");
            }
            Path tar = dir.resolve(format + ".tar");
            List<String> cmd = new ArrayList<>(List.of("tar", "--format=" + format, "-C", src.toString(), "-cf", tar.toString()));
            cmd.addAll(format.equals("ustar") ? List.of("short") : List.of("d", "s"));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes());
            assertEquals(0, p.waitFor(), log);
            List<String> names = new ArrayList<>();
            String fileContent = null;
            try (TarReader r = new TarReader(Files.newInputStream(tar))) {
                for (TarEntry e; (e = r.next()) != null; ) {
                    names.add(e.name() + (e.type() == TarEntry.Type.SYMLINK ? " -> " + e.linkName() : ""));
                    if (e.name().endsWith("/f")) fileContent = new String(r.content().readAllBytes());
                }
            }
            if (format.equals("ustar")) {
                assertEquals(List.of("short"), names);
            } else {
                assertTrue(names.contains(deep + "/f"), format + ": " + names);
                assertTrue(names.contains("s -> d/" + "y".repeat(130)), format + ": " + names);
                assertEquals("content", fileContent);
            }
        }
    }

    @Test
    void gnuTarListsWhatThisWriterWrites(@TempDir Path dir) throws Exception {
        Path tar = dir.resolve("out.tar");
        Files.write(tar, archive("alpha", "b".repeat(140)));
        Process p = new ProcessBuilder("tar", "-tf", tar.toString()).redirectErrorStream(true).start();
        String listing = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), listing);
        assertEquals(List.of("alpha", "b".repeat(140)), listing.lines().toList());
    }

    @Test
    void paxTimesKeepNanosecondsAndBase256NumbersDecode() throws IOException {
        byte[] pax = "30 mtime=1700000000.123456789\n".getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(header("PaxHeaders/f", 'x', pax.length, false));
        out.write(padded(pax));
        out.write(header("f", '0', 0, true));
        out.write(new byte[1024]);
        try (TarReader r = new TarReader(new ByteArrayInputStream(out.toByteArray()))) {
            TarEntry e = r.next();
            assertEquals(Instant.ofEpochSecond(1_700_000_000L, 123_456_789), e.mtime());
            assertEquals(1L << 33, e.uid());
            assertNull(r.next());
        }
    }

    @Test
    void corruptHeadersAndUnsupportedEntriesAreRefused() throws IOException {
        byte[] good = archive("a");
        byte[] corrupt = good.clone();
        corrupt[10] ^= 1;
        assertThrows(BadContentException.class, () -> readAll(corrupt));
        byte[] truncated = java.util.Arrays.copyOf(good, 700);
        assertThrows(IOException.class, () -> readAll(truncated));
        ByteArrayOutputStream sparse = new ByteArrayOutputStream();
        sparse.write(header("s", 'S', 0, false));
        sparse.write(new byte[1024]);
        assertThrows(BadContentException.class, () -> readAll(sparse.toByteArray()));
        byte[] badPax = "99 path=x\n".getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream pax = new ByteArrayOutputStream();
        pax.write(header("p", 'x', badPax.length, false));
        pax.write(padded(badPax));
        pax.write(header("f", '0', 0, false));
        assertThrows(BadContentException.class, () -> readAll(pax.toByteArray()));
    }

    private static void readAll(byte[] tar) throws IOException {
        try (TarReader r = new TarReader(new ByteArrayInputStream(tar))) {
            for (TarEntry e; (e = r.next()) != null; ) r.content().readAllBytes();
        }
    }

    private static byte[] archive(String... names) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TarWriter w = new TarWriter(out);
        for (String name : names) {
            byte[] data = name.getBytes(StandardCharsets.UTF_8);
            w.write(new TarEntry(name, TarEntry.Type.FILE, 0644, 0, 0, data.length, T, "", 0, 0, Map.of()),
                    new ByteArrayInputStream(data));
        }
        w.finish();
        return out.toByteArray();
    }

    /** A hand-made ustar header; {@code bigUid} writes uid 2^33 in base-256. */
    private static byte[] header(String name, char type, long size, boolean bigUid) {
        byte[] h = new byte[512];
        System.arraycopy(name.getBytes(StandardCharsets.US_ASCII), 0, h, 0, name.length());
        put(h, 100, "0000644");
        if (bigUid) {
            h[108] = (byte) 0x80;
            h[108 + 3] = 2; // 2 << 32 = 2^33 in the last 5 bytes of the 8-byte field
        } else {
            put(h, 108, "0000000");
        }
        put(h, 116, "0000000");
        put(h, 124, String.format("%011o", size));
        put(h, 136, String.format("%011o", 1_600_000_000L));
        h[156] = (byte) type;
        put(h, 257, "ustar");
        h[263] = '0';
        h[264] = '0';
        for (int i = 148; i < 156; i++) h[i] = ' ';
        long sum = 0;
        for (byte b : h) sum += b & 0xff;
        put(h, 148, String.format("%06o", sum));
        h[154] = 0;
        return h;
    }

    private static byte[] padded(byte[] data) {
        return java.util.Arrays.copyOf(data, (data.length + 511) / 512 * 512);
    }

    private static void put(byte[] h, int offset, String s) {
        System.arraycopy(s.getBytes(StandardCharsets.US_ASCII), 0, h, offset, s.length());
    }

}
