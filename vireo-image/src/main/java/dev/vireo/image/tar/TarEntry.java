package dev.vireo.image.tar;

import java.time.Instant;
import java.util.Map;

/**
 * One member of a tar archive, with the PAX extensions folded in: full path and link target,
 * numeric owner, nanosecond mtime, and extended attributes ({@code SCHILY.xattr.*}).
 */
public record TarEntry(String name, Type type, int mode, long uid, long gid, long size, Instant mtime,
                       String linkName, int devMajor, int devMinor, Map<String, byte[]> xattrs) {

    public enum Type { FILE, HARDLINK, SYMLINK, CHAR, BLOCK, DIRECTORY, FIFO }

    public TarEntry {
        xattrs = xattrs == null ? Map.of() : Map.copyOf(xattrs);
        linkName = linkName == null ? "" : linkName;
    }

    /** The type flag byte of a ustar header. */
    char flag() {
        return switch (type) {
            case FILE -> '0';
            case HARDLINK -> '1';
            case SYMLINK -> '2';
            case CHAR -> '3';
            case BLOCK -> '4';
            case DIRECTORY -> '5';
            case FIFO -> '6';
        };
    }
}
