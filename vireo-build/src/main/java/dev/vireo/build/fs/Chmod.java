package dev.vireo.build.fs;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@code --chmod} value: octal ({@code 755}) or chmod(1)'s symbolic form
 * ({@code u=rwX,go=rX}, {@code +x}, {@code g=u}), applied to each file and directory copied.
 */
public final class Chmod {
    private record Clause(int who, char op, int perms, boolean conditionalX, char copyFrom) {}

    private final Integer octal;
    private final List<Clause> clauses;

    private Chmod(Integer octal, List<Clause> clauses) {
        this.octal = octal;
        this.clauses = clauses;
    }

    public static Chmod parse(String text) {
        if (text.matches("[0-7]{1,4}")) return new Chmod(Integer.parseInt(text, 8), List.of());
        List<Clause> clauses = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            int i = 0;
            int who = 0;
            for (; i < part.length() && "ugoa".indexOf(part.charAt(i)) >= 0; i++) {
                who |= switch (part.charAt(i)) {
                    case 'u' -> 04700;
                    case 'g' -> 02070;
                    case 'o' -> 01007;
                    default -> 07777;
                };
            }
            if (i >= part.length() || "+-=".indexOf(part.charAt(i)) < 0) throw bad(text);
            char op = part.charAt(i++);
            int perms = 0;
            boolean conditionalX = false;
            char copyFrom = 0;
            for (; i < part.length(); i++) {
                char c = part.charAt(i);
                switch (c) {
                    case 'r' -> perms |= 0444;
                    case 'w' -> perms |= 0222;
                    case 'x' -> perms |= 0111;
                    case 'X' -> conditionalX = true;
                    case 's' -> perms |= 06000;
                    case 't' -> perms |= 01000;
                    case 'u', 'g', 'o' -> {
                        if (perms != 0 || copyFrom != 0 || part.length() != i + 1) throw bad(text);
                        copyFrom = c;
                    }
                    default -> throw bad(text);
                }
            }
            clauses.add(new Clause(who == 0 ? 07777 : who, op, perms, conditionalX, copyFrom));
        }
        return new Chmod(null, clauses);
    }

    private static IllegalArgumentException bad(String text) {
        return new IllegalArgumentException("invalid --chmod \"" + text + "\": octal (755) or symbolic (u=rwX,go=rX)");
    }

    /** The permission bits a file or directory with {@code mode} gets. */
    public int apply(int mode, boolean directory) {
        if (octal != null) return octal;
        int result = mode & 07777;
        for (Clause c : clauses) {
            int bits = c.perms();
            if (c.conditionalX() && (directory || (result & 0111) != 0)) bits |= 0111;
            if (c.copyFrom() != 0) {
                int source = switch (c.copyFrom()) {
                    case 'u' -> (result >> 6) & 7;
                    case 'g' -> (result >> 3) & 7;
                    default -> result & 7;
                };
                bits = source * 0111;
            }
            bits &= c.who();
            result = switch (c.op()) {
                case '+' -> result | bits;
                case '-' -> result & ~bits;
                default -> (result & ~(c.who() & 0777)) | bits;
            };
        }
        return result;
    }
}
