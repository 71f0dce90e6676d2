package dev.vireo.build.fs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Users and groups as an image's own {@code /etc/passwd} and {@code /etc/group} define them,
 * read inside its root filesystem: what {@code COPY --chown=user:group} means in that image.
 */
public final class Accounts {
    private Accounts() {}

    /**
     * Resolves {@code user[:group]} (names or numbers). A user given by name brings its primary
     * group when no group is given; a numeric user alone gets the group of the same number, as
     * BuildKit does. A name the image does not define is an error.
     */
    public static Owner resolve(Path root, String spec) throws IOException {
        int colon = spec.indexOf(':');
        String user = colon < 0 ? spec : spec.substring(0, colon);
        String group = colon < 0 ? null : spec.substring(colon + 1);
        if (user.isEmpty() || group != null && group.isEmpty()) throw new IllegalArgumentException("invalid user:group \"" + spec + "\"");
        int uid;
        int gid;
        if (isNumber(user)) {
            uid = Integer.parseUnsignedInt(user);
            gid = uid;
        } else {
            String[] entry = lookup(root, "/etc/passwd", user);
            if (entry == null || entry.length < 4) {
                throw new IllegalArgumentException("unable to find user " + user + ": no matching entries in passwd file");
            }
            uid = Integer.parseUnsignedInt(entry[2]);
            gid = Integer.parseUnsignedInt(entry[3]);
        }
        if (group != null) gid = groupId(root, group);
        return new Owner(uid, gid);
    }

    /** The number of a group given by name or number. */
    static int groupId(Path root, String group) throws IOException {
        if (isNumber(group)) return Integer.parseUnsignedInt(group);
        String[] entry = lookup(root, "/etc/group", group);
        if (entry == null || entry.length < 3) {
            throw new IllegalArgumentException("unable to find group " + group + ": no matching entries in group file");
        }
        return Integer.parseUnsignedInt(entry[2]);
    }

    private static String[] lookup(Path root, String file, String name) throws IOException {
        Path path = RootPath.resolve(root, file, true);
        if (!Files.isRegularFile(path)) return null;
        for (String line : Files.readAllLines(path, StandardCharsets.UTF_8)) {
            if (line.isBlank() || line.startsWith("#")) continue;
            String[] fields = line.split(":", -1);
            if (fields[0].equals(name)) return fields;
        }
        return null;
    }

    static boolean isNumber(String s) {
        if (s.isEmpty() || s.length() > 10) return false;
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
        return Long.parseLong(s) <= 0xffffffffL;
    }
}
