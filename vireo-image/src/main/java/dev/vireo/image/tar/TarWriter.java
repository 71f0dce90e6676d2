package dev.vireo.image.tar;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a POSIX (ustar + PAX) tar stream. Output depends only on the entries given: names,
 * numeric owners, modes, mtimes (a PAX record only for a fraction of a second; layers are
 * written with whole seconds), user and group names left empty, PAX
 * records only where ustar cannot hold a value, in sorted order. So the same tree gives the same
 * bytes and the same DiffID every time.
 */
public final class TarWriter implements AutoCloseable {
    private static final int BLOCK = 512;
    private static final long MAX_OCTAL_8 = 07777777L;
    private static final long MAX_OCTAL_12 = 077777777777L;

    private final OutputStream out;

    public TarWriter(OutputStream out) {
        this.out = out;
    }

    /** Writes one entry; {@code content} supplies exactly {@code entry.size()} bytes for a regular file. */
    public void write(TarEntry entry, InputStream content) throws IOException {
        String name = entry.type() == TarEntry.Type.DIRECTORY && !entry.name().endsWith("/") ? entry.name() + "/" : entry.name();
        Map<String, byte[]> pax = new TreeMap<>();
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        if (nameBytes.length > 100 || !isAscii(name)) pax.put("path", nameBytes);
        byte[] linkBytes = entry.linkName().getBytes(StandardCharsets.UTF_8);
        if (linkBytes.length > 100 || !isAscii(entry.linkName())) pax.put("linkpath", linkBytes);
        if (entry.uid() > MAX_OCTAL_8) pax.put("uid", ascii(Long.toString(entry.uid())));
        if (entry.gid() > MAX_OCTAL_8) pax.put("gid", ascii(Long.toString(entry.gid())));
        if (entry.size() > MAX_OCTAL_12) pax.put("size", ascii(Long.toString(entry.size())));
        if (entry.mtime().getNano() != 0 || entry.mtime().getEpochSecond() < 0) {
            pax.put("mtime", ascii(new java.math.BigDecimal(entry.mtime().getEpochSecond())
                    .add(java.math.BigDecimal.valueOf(entry.mtime().getNano(), 9)).stripTrailingZeros().toPlainString()));
        }
        entry.xattrs().forEach((key, value) -> pax.put("SCHILY.xattr." + key, value));
        if (!pax.isEmpty()) {
            byte[] records = paxRecords(pax);
            writeHeader("PaxHeaders/" + truncate(name, 80), 'x', 0644, 0, 0, records.length, 0, "", 0, 0);
            out.write(records);
            pad(records.length);
        }
        writeHeader(name, entry.flag(), entry.mode(), entry.uid(), entry.gid(),
                entry.type() == TarEntry.Type.FILE ? entry.size() : 0, entry.mtime().getEpochSecond(),
                entry.linkName(), entry.devMajor(), entry.devMinor());
        if (entry.type() == TarEntry.Type.FILE) {
            long copied = (content == null ? InputStream.nullInputStream() : content).transferTo(new BoundedOutput(out, entry.size()));
            if (copied != entry.size()) {
                throw new IOException(entry.name() + " changed size while archived: " + copied + " of " + entry.size() + " bytes");
            }
            pad(entry.size());
        }
    }

    private void writeHeader(String name, char flag, int mode, long uid, long gid, long size, long mtime,
                             String link, int major, int minor) throws IOException {
        byte[] h = new byte[BLOCK];
        put(h, 0, 100, truncate(name, 100));
        octal(h, 100, 8, mode & 07777);
        octal(h, 108, 8, Math.min(uid, MAX_OCTAL_8));
        octal(h, 116, 8, Math.min(gid, MAX_OCTAL_8));
        octal(h, 124, 12, Math.min(size, MAX_OCTAL_12));
        octal(h, 136, 12, Math.max(0, Math.min(mtime, MAX_OCTAL_12)));
        h[156] = (byte) flag;
        put(h, 157, 100, truncate(link, 100));
        put(h, 257, 6, "ustar");
        h[263] = '0';
        h[264] = '0';
        if (flag == '3' || flag == '4') {
            octal(h, 329, 8, major);
            octal(h, 337, 8, minor);
        }
        for (int i = 148; i < 156; i++) h[i] = ' ';
        long sum = 0;
        for (byte b : h) sum += b & 0xff;
        octal(h, 148, 7, sum);
        h[155] = ' ';
        out.write(h);
    }

    private static byte[] paxRecords(Map<String, byte[]> records) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        records.forEach((key, value) -> {
            byte[] body = (" " + key + "=").getBytes(StandardCharsets.UTF_8);
            int rest = body.length + value.length + 1;
            int length = rest + Integer.toString(rest).length();
            if (Integer.toString(length).length() != Integer.toString(rest).length()) length++;
            all.writeBytes(ascii(Integer.toString(length)));
            all.writeBytes(body);
            all.writeBytes(value);
            all.write('\n');
        });
        return all.toByteArray();
    }

    private static void octal(byte[] h, int offset, int length, long value) {
        String digits = Long.toOctalString(value);
        String padded = "0".repeat(Math.max(0, length - 1 - digits.length())) + digits;
        put(h, offset, length, padded);
    }

    private static void put(byte[] h, int offset, int length, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(bytes, 0, h, offset, Math.min(bytes.length, length));
    }

    /** Cuts to at most {@code max} UTF-8 bytes; the full value travels in a PAX record. */
    private static String truncate(String s, int max) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= max && isAscii(s)) return s;
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c >= 0x80 || b.length() >= max) break;
            b.append(c);
        }
        return b.toString();
    }

    private static boolean isAscii(String s) {
        return s.chars().allMatch(c -> c > 0 && c < 0x80);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private void pad(long size) throws IOException {
        int padding = (int) ((BLOCK - size % BLOCK) % BLOCK);
        out.write(new byte[padding]);
    }

    /** Ends the archive with the two zero blocks of the format. */
    public void finish() throws IOException {
        out.write(new byte[2 * BLOCK]);
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    /** Refuses bytes beyond the size written in the header, which would corrupt the archive. */
    private static final class BoundedOutput extends OutputStream {
        private final OutputStream out;
        private long left;

        BoundedOutput(OutputStream out, long limit) {
            this.out = out;
            this.left = limit;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (len > left) throw new IOException("file grew while it was archived");
            out.write(b, off, len);
            left -= len;
        }
    }
}
