package dev.vireo.containers.spec;

import dev.vireo.containers.BadInputException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * {@code Config.User} (and {@code -u}) resolved against the container's own {@code /etc/passwd}
 * and {@code /etc/group}, as conversion.md asks: {@code user}, {@code uid}, {@code user:group},
 * {@code uid:gid} and the mixed forms. Numbers are taken verbatim (a uid need not be in the
 * passwd file); a name that is not there is an error. The supplementary groups are those
 * naming the user as a member, only when a user was given by name without a group.
 */
public final class Users {
    /** The largest ID: (uid_t) -1 is "no ID" to the kernel. */
    private static final long MAX_ID = 0xFFFF_FFFEL;

    /** A resolved {@code process.user}. */
    public record Resolved(long uid, long gid, List<Long> additionalGids) {
        public Resolved {
            additionalGids = List.copyOf(additionalGids);
        }
    }

    record PasswdEntry(String name, long uid, long gid) {}

    record GroupEntry(String name, long gid, List<String> members) {}

    private Users() {}

    /**
     * Resolves {@code spec} in the root filesystem {@code rootfs}. Without a user, root: with the
     * primary group and the groups that its passwd entry's name gives it, as Docker does.
     */
    public static Resolved resolve(Path rootfs, String spec) {
        if (spec == null || spec.isEmpty()) {
            PasswdEntry root = find(passwd(rootfs), e -> e.uid() == 0);
            if (root == null) return new Resolved(0, 0, List.of());
            return new Resolved(0, root.gid(), memberships(rootfs, root.name()));
        }
        int colon = spec.indexOf(':');
        String userPart = colon < 0 ? spec : spec.substring(0, colon);
        String groupPart = colon < 0 ? null : spec.substring(colon + 1);
        if (userPart.isEmpty() || (groupPart != null && groupPart.isEmpty())) {
            throw new BadInputException("invalid user '" + spec + "': expected USER, UID, USER:GROUP or UID:GID");
        }
        Long numericUid = id(userPart, "user", spec);
        PasswdEntry entry = numericUid != null ? find(passwd(rootfs), e -> e.uid() == numericUid)
                : find(passwd(rootfs), e -> e.name().equals(userPart));
        if (numericUid == null && entry == null) {
            throw new BadInputException("unable to find user " + userPart + ": no matching entries in passwd file");
        }
        long uid = numericUid != null ? numericUid : entry.uid();
        if (groupPart != null) return new Resolved(uid, group(rootfs, groupPart, spec), List.of());
        long gid = entry == null ? 0 : entry.gid();
        return new Resolved(uid, gid, numericUid != null ? List.of() : memberships(rootfs, entry.name()));
    }

    private static long group(Path rootfs, String group, String spec) {
        Long gid = id(group, "group", spec);
        if (gid != null) return gid;
        GroupEntry entry = find(groups(rootfs), g -> g.name().equals(group));
        if (entry == null) throw new BadInputException("unable to find group " + group + ": no matching entries in group file");
        return entry.gid();
    }

    private static List<Long> memberships(Path rootfs, String user) {
        Set<Long> gids = new LinkedHashSet<>();
        for (GroupEntry g : groups(rootfs)) {
            if (g.members().contains(user)) gids.add(g.gid());
        }
        return List.copyOf(gids);
    }

    /** The number {@code text} is, or null when it is a name; a number out of range is an error. */
    private static Long id(String text, String what, String spec) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') return null;
        }
        if (text.length() > 10 || Long.parseLong(text) > MAX_ID) {
            throw new BadInputException("invalid user '" + spec + "': " + what + " ID " + text + " is out of range");
        }
        return Long.parseLong(text);
    }

    private static <T> T find(List<T> entries, Predicate<T> match) {
        for (T e : entries) if (match.test(e)) return e;
        return null;
    }

    static List<PasswdEntry> passwd(Path rootfs) {
        List<PasswdEntry> entries = new ArrayList<>();
        for (String[] f : fields(rootfs, "/etc/passwd")) {
            if (f.length < 4) continue;
            Long uid = number(f[2]), gid = number(f[3]);
            if (uid != null && gid != null) entries.add(new PasswdEntry(f[0], uid, gid));
        }
        return entries;
    }

    static List<GroupEntry> groups(Path rootfs) {
        List<GroupEntry> entries = new ArrayList<>();
        for (String[] f : fields(rootfs, "/etc/group")) {
            if (f.length < 3) continue;
            Long gid = number(f[2]);
            if (gid == null) continue;
            List<String> members = new ArrayList<>();
            if (f.length > 3) {
                for (String m : f[3].split(",")) if (!m.isBlank()) members.add(m.trim());
            }
            entries.add(new GroupEntry(f[0], gid, members));
        }
        return entries;
    }

    /** The colon-separated lines of a file in the container; none when it has no such file. Comments and blanks skipped. */
    private static List<String[]> fields(Path rootfs, String file) {
        try {
            Path p = RootPaths.resolve(rootfs, file);
            if (!Files.isRegularFile(p)) return List.of();
            List<String[]> lines = new ArrayList<>();
            for (String line : new String(Files.readAllBytes(p), StandardCharsets.UTF_8).split("\n")) {
                String t = line.strip();
                if (!t.isEmpty() && !t.startsWith("#")) lines.add(t.split(":", -1));
            }
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + " of the container: " + e.getMessage(), e);
        }
    }

    private static Long number(String s) {
        if (s.isEmpty() || s.length() > 10) return null;
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) < '0' || s.charAt(i) > '9') return null;
        long n = Long.parseLong(s);
        return n > MAX_ID ? null : n;
    }
}
