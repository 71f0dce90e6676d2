package dev.vireo.build.context;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Go's {@code filepath.Match} syntax as a Java regular expression: {@code *} is any run of
 * characters but '/', {@code ?} one such character, {@code [...]} a class ({@code ^} negates),
 * and a backslash takes the next character literally. Shared by COPY sources and .dockerignore.
 */
final class Glob {
    private Glob() {}

    /** True when {@code text} uses any matching syntax, so it is not just a name. */
    static boolean hasMeta(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '*' || c == '?' || c == '[' || c == '\\') return true;
        }
        return false;
    }

    /** The regex of one glob; {@code **} handling belongs to the caller (see {@link IgnorePatterns}). */
    static Pattern compile(String glob) {
        return Pattern.compile(translate(glob, 0, glob.length()));
    }

    static String translate(String glob, int from, int to) {
        StringBuilder re = new StringBuilder();
        for (int i = from; i < to; i++) {
            char c = glob.charAt(i);
            switch (c) {
                case '*' -> re.append("[^/]*");
                case '?' -> re.append("[^/]");
                case '\\' -> {
                    if (i + 1 < to) re.append(Pattern.quote(String.valueOf(glob.charAt(++i))));
                    else throw bad(glob, "trailing backslash");
                }
                case '[' -> i = characterClass(glob, i, to, re);
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return re.toString();
    }

    /** Copies a [...] class at {@code start}; returns the index of its closing bracket. */
    private static int characterClass(String glob, int start, int to, StringBuilder re) {
        StringBuilder cls = new StringBuilder("[");
        int i = start + 1;
        if (i < to && glob.charAt(i) == '^') {
            cls.append('^');
            i++;
        }
        boolean empty = true;
        for (; i < to; i++) {
            char c = glob.charAt(i);
            if (c == ']' && !empty) {
                re.append(cls).append(']');
                return i;
            }
            empty = false;
            if (c == '\\') {
                if (++i >= to) break;
                c = glob.charAt(i);
            }
            if (c == '-' && cls.length() > 1 && i + 1 < to && glob.charAt(i + 1) != ']') {
                cls.append('-');
                continue;
            }
            if (c == '[' || c == ']' || c == '&' || c == '\\' || c == '^' || c == '-') cls.append('\\');
            cls.append(c);
        }
        throw bad(glob, "unterminated character class");
    }

    static IllegalArgumentException bad(String glob, String why) {
        return new IllegalArgumentException("syntax error in pattern \"" + glob + "\": " + why);
    }

    /** Checks a glob compiles; the error says which pattern and why. */
    static Pattern checked(String glob) {
        try {
            return compile(glob);
        } catch (PatternSyntaxException e) {
            throw bad(glob, e.getDescription());
        }
    }
}
