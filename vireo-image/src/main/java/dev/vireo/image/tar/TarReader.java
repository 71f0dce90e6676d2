package dev.vireo.image.tar;

import dev.vireo.oci.BadContentException;

import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads a tar stream: ustar headers (with the prefix field), base-256 numbers, PAX extended
 * ({@code x}) and global ({@code g}) headers, and GNU long names ({@code L}, {@code K}).
 * Headers are checksum-verified; sparse files and other exotic types are refused, since a
 * layer does not need them. Path safety is the caller's business: names come out as written.
 */
public final class TarReader implements AutoCloseable {
    private static final int BLOCK = 512;
    private static final int MAX_EXTENSION = 1 << 20;

    private final InputStream in;
    private final byte[] header = new byte[BLOCK];
    private final Map<String, byte[]> globals = new HashMap<>();
    private long remaining;
    private long padding;
    private boolean done;

    public TarReader(InputStream in) {
        this.in = in;
    }

    /** The next entry, or null at the end of the archive. Unread content of the previous one is skipped. */
    public TarEntry next() throws IOException {
        skipRest();
        if (done) return null;
        Map<String, byte[]> pax = new LinkedHashMap<>(globals);
        String longName = null, longLink = null;
        while (true) {
            if (!readHeader()) {
                done = true;
                return null;
            }
            char flag = (char) (header[156] & 0xff);
            long size = number(124, 12);
            switch (flag) {
                case 'x' -> pax.putAll(parsePax(readExtension(size, "PAX header")));
                case 'g' -> {
                    Map<String, byte[]> global = parsePax(readExtension(size, "PAX global header"));
                    globals.putAll(global);
                    pax.putAll(global);
                }
                case 'L' -> longName = cString(readExtension(size, "GNU long name"), 0, (int) size);
                case 'K' -> longLink = cString(readExtension(size, "GNU long link"), 0, (int) size);
                default -> {
                    return entry(flag, size, pax, longName, longLink);
                }
            }
        }
    }

    /** The content of the entry last returned by {@link #next()}. */
    public InputStream content() {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                if (remaining <= 0) return -1;
                int b = in.read();
                if (b < 0) throw new EOFException("tar archive ends inside an entry");
                remaining--;
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (remaining <= 0) return -1;
                int n = in.read(b, off, (int) Math.min(len, remaining));
                if (n < 0) throw new EOFException("tar archive ends inside an entry");
                remaining -= n;
                return n;
            }

            @Override
            public long skip(long n) throws IOException {
                return super.skip(Math.min(n, remaining));
            }

            @Override
            public void close() {}
        };
    }

    private TarEntry entry(char flag, long size, Map<String, byte[]> pax, String longName, String longLink)
            throws IOException {
        String name = longName != null ? longName : ustarName();
        String link = longLink != null ? longLink : cString(header, 157, 100);
        long uid = number(108, 8), gid = number(116, 8);
        Instant mtime = Instant.ofEpochSecond(number(136, 12));
        Map<String, byte[]> xattrs = new LinkedHashMap<>();
        for (Map.Entry<String, byte[]> record : pax.entrySet()) {
            String value = new String(record.getValue(), StandardCharsets.UTF_8);
            switch (record.getKey()) {
                case "path" -> name = value;
                case "linkpath" -> link = value;
                case "size" -> size = decimal(value, "size");
                case "uid" -> uid = decimal(value, "uid");
                case "gid" -> gid = decimal(value, "gid");
                case "mtime" -> mtime = paxTime(value);
                default -> {
                    if (record.getKey().startsWith("SCHILY.xattr.")) {
                        xattrs.put(record.getKey().substring("SCHILY.xattr.".length()), record.getValue());
                    } else if (record.getKey().startsWith("GNU.sparse.")) {
                        throw new BadContentException("tar entry " + name + " is a sparse file, which layers do not use");
                    }
                }
            }
        }
        TarEntry.Type type = switch (flag) {
            case '0', '\0', '7' -> name.endsWith("/") ? TarEntry.Type.DIRECTORY : TarEntry.Type.FILE;
            case '1' -> TarEntry.Type.HARDLINK;
            case '2' -> TarEntry.Type.SYMLINK;
            case '3' -> TarEntry.Type.CHAR;
            case '4' -> TarEntry.Type.BLOCK;
            case '5' -> TarEntry.Type.DIRECTORY;
            case '6' -> TarEntry.Type.FIFO;
            default -> throw new BadContentException("tar entry " + name + " has unsupported type '" + flag + "'");
        };
        if (size < 0) throw new BadContentException("tar entry " + name + " has a negative size");
        // Link, device, directory and FIFO headers carry no data whatever their size field says
        // (as Go's archive/tar reads them); a regular-file header always carries its size.
        boolean carriesData = flag == '0' || flag == '\0' || flag == '7';
        long occupied = carriesData ? size : 0;
        remaining = type == TarEntry.Type.FILE ? size : 0;
        padding = (BLOCK - occupied % BLOCK) % BLOCK;
        if (type != TarEntry.Type.FILE) skipBytes(occupied);
        int mode = (int) number(100, 8) & 07777;
        return new TarEntry(name, type, mode, uid, gid, type == TarEntry.Type.FILE ? size : 0, mtime, link,
                (int) number(329, 8), (int) number(337, 8), xattrs);
    }

    private String ustarName() {
        String name = cString(header, 0, 100);
        boolean posix = header[257] == 'u' && header[258] == 's' && header[259] == 't' && header[260] == 'a'
                && header[261] == 'r' && header[262] == 0;
        if (posix && header[345] != 0) return cString(header, 345, 155) + "/" + name;
        return name;
    }

    private boolean readHeader() throws IOException {
        int n = in.readNBytes(header, 0, BLOCK);
        if (n == 0) return false;
        if (n < BLOCK) throw new BadContentException("not a tar archive, or a truncated one (a header ends after " + n + " bytes)");
        boolean zero = true;
        for (byte b : header) {
            if (b != 0) {
                zero = false;
                break;
            }
        }
        if (zero) return false;
        long stored = number(148, 8);
        long unsigned = 0, signed = 0;
        for (int i = 0; i < BLOCK; i++) {
            int b = i >= 148 && i < 156 ? ' ' : header[i];
            unsigned += b & 0xff;
            signed += (byte) b;
        }
        if (stored != unsigned && stored != signed) throw new BadContentException("tar header checksum mismatch");
        return true;
    }

    private byte[] readExtension(long size, String what) throws IOException {
        if (size < 0 || size > MAX_EXTENSION) throw new BadContentException(what + " of " + size + " bytes is too large");
        byte[] data = in.readNBytes((int) size);
        if (data.length < size) throw new BadContentException("tar archive is truncated in a " + what);
        skipBytes((BLOCK - size % BLOCK) % BLOCK);
        return data;
    }

    /** PAX records: {@code "<length> <key>=<value>\n"}, the length counting the whole record. */
    static Map<String, byte[]> parsePax(byte[] data) {
        Map<String, byte[]> records = new LinkedHashMap<>();
        int pos = 0;
        while (pos < data.length) {
            int space = pos;
            while (space < data.length && data[space] != ' ') space++;
            int length;
            try {
                length = Integer.parseInt(new String(data, pos, space - pos, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                throw new BadContentException("malformed PAX record length");
            }
            int end = pos + length;
            if (length <= 0 || end > data.length || data[end - 1] != '\n') throw new BadContentException("malformed PAX record");
            int eq = space + 1;
            while (eq < end && data[eq] != '=') eq++;
            if (eq >= end) throw new BadContentException("malformed PAX record: no '='");
            String key = new String(data, space + 1, eq - space - 1, StandardCharsets.UTF_8);
            byte[] value = java.util.Arrays.copyOfRange(data, eq + 1, end - 1);
            records.put(key, value);
            pos = end;
        }
        return records;
    }

    private long number(int offset, int length) {
        if ((header[offset] & 0x80) != 0) {
            // GNU base-256: big-endian two's complement with the top bit of the first byte as marker.
            long value = header[offset] & 0x3f;
            if ((header[offset] & 0x40) != 0) value |= ~0x3fL;
            for (int i = 1; i < length; i++) value = (value << 8) | (header[offset + i] & 0xff);
            return value;
        }
        long value = 0;
        int i = offset, end = offset + length;
        while (i < end && (header[i] == ' ' || header[i] == 0)) i++;
        for (; i < end && header[i] >= '0' && header[i] <= '7'; i++) value = value * 8 + (header[i] - '0');
        for (; i < end; i++) {
            if (header[i] != ' ' && header[i] != 0) throw new BadContentException("malformed number in tar header");
        }
        return value;
    }

    private static long decimal(String value, String field) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new BadContentException("malformed PAX " + field + " '" + value + "'");
        }
    }

    private static Instant paxTime(String value) {
        try {
            BigDecimal seconds = new BigDecimal(value);
            long whole = seconds.setScale(0, java.math.RoundingMode.FLOOR).longValueExact();
            int nanos = seconds.subtract(BigDecimal.valueOf(whole)).movePointRight(9).intValue();
            return Instant.ofEpochSecond(whole, nanos);
        } catch (ArithmeticException | NumberFormatException e) {
            throw new BadContentException("malformed PAX mtime '" + value + "'");
        }
    }

    private static String cString(byte[] data, int offset, int length) {
        int end = offset;
        while (end < offset + length && data[end] != 0) end++;
        return new String(data, offset, end - offset, StandardCharsets.UTF_8);
    }

    private void skipRest() throws IOException {
        skipBytes(remaining + padding);
        remaining = 0;
        padding = 0;
    }

    private void skipBytes(long n) throws IOException {
        long left = n;
        while (left > 0) {
            long skipped = in.skip(left);
            if (skipped <= 0) {
                if (in.read() < 0) throw new EOFException("tar archive ends inside an entry");
                skipped = 1;
            }
            left -= skipped;
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
