package dev.vireo.build.fs;

import dev.vireo.image.TarArchives;
import io.airlift.compress.zstd.ZstdInputStream;
import org.tukaani.xz.XZInputStream;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * ADD's local archives: a file is a tar archive when its content says so (a valid ustar or old
 * tar header, after gzip, zstd or xz decompression), whatever its name. Extraction goes into a
 * directory of the builder's own, from where it is copied into the image like any source.
 */
public final class Archives {
    private enum Kind { PLAIN, GZIP, ZSTD, XZ, BZIP2 }

    private Archives() {}

    /** Whether ADD would extract {@code file}; a bzip2 archive is refused rather than copied as a file. */
    public static boolean isArchive(Path file) throws IOException {
        if (!Files.isRegularFile(file)) return false;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            Kind kind = kind(in);
            if (kind == Kind.BZIP2) throw new IOException(file.getFileName() + ": bzip2-compressed archives are not supported (use gzip, xz or zstd)");
            InputStream tar;
            try {
                tar = decompress(in, kind);
            } catch (IOException e) {
                return false; // a compressed file that does not decompress is just a file
            }
            byte[] header = tar.readNBytes(512);
            return header.length == 512 && validTarHeader(header);
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().contains("bzip2")) throw e;
            return false;
        }
    }

    /** Extracts {@code archive} into the empty directory {@code into}; entries leaving it are refused. */
    public static void extract(Path archive, Path into) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(archive), 1 << 16)) {
            Kind kind = kind(in);
            // gzip and zstd are the image module's own; xz is decompressed here.
            InputStream source = kind == Kind.XZ ? new BufferedInputStream(new XZInputStream(in), 1 << 16) : in;
            TarArchives.extract(source, into, archive.getFileName().toString());
        }
    }

    private static Kind kind(InputStream in) throws IOException {
        in.mark(8);
        byte[] m = in.readNBytes(6);
        in.reset();
        if (m.length >= 2 && (m[0] & 0xff) == 0x1f && (m[1] & 0xff) == 0x8b) return Kind.GZIP;
        if (m.length >= 4 && (m[0] & 0xff) == 0x28 && (m[1] & 0xff) == 0xb5 && (m[2] & 0xff) == 0x2f && (m[3] & 0xff) == 0xfd) {
            return Kind.ZSTD;
        }
        if (m.length >= 6 && (m[0] & 0xff) == 0xfd && m[1] == '7' && m[2] == 'z' && m[3] == 'X' && m[4] == 'Z' && m[5] == 0) {
            return Kind.XZ;
        }
        if (m.length >= 3 && m[0] == 'B' && m[1] == 'Z' && m[2] == 'h') return Kind.BZIP2;
        return Kind.PLAIN;
    }

    private static InputStream decompress(InputStream in, Kind kind) throws IOException {
        return switch (kind) {
            case PLAIN, BZIP2 -> in;
            case GZIP -> new GZIPInputStream(in);
            case ZSTD -> new ZstdInputStream(in);
            case XZ -> new XZInputStream(in);
        };
    }

    /** A tar header's checksum: the byte sum with the checksum field counted as spaces, stored in octal at 148. */
    static boolean validTarHeader(byte[] h) {
        String field = new String(h, 148, 8, java.nio.charset.StandardCharsets.US_ASCII).replace('\0', ' ').strip();
        if (field.isEmpty() || !field.matches("[0-7]+")) return false;
        long stored = Long.parseLong(field, 8);
        long unsigned = 0;
        for (int i = 0; i < 512; i++) unsigned += (i >= 148 && i < 156) ? ' ' : (h[i] & 0xff);
        return stored == unsigned && h[0] != 0;
    }
}
