package dev.vireo.build.context;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The rules of a {@code .dockerignore} file, as Docker reads and applies them (moby's
 * patternmatcher): a line starting with {@code #} is a comment; each pattern is trimmed and
 * cleaned like a path (a leading '/' dropped); {@code !} makes an exception; globs follow Go's
 * {@code filepath.Match}, plus {@code **} for any number of directories. A path is excluded
 * when the last pattern that matches it, or one of its parent directories, is not an exception.
 */
public final class IgnorePatterns {
    private enum Kind { EXACT, PREFIX, SUFFIX, REGEX }

    private record Rule(String pattern, boolean exception, Kind kind, Pattern regex) {
        boolean matches(String path) {
            return switch (kind) {
                case EXACT -> path.equals(pattern);
                case PREFIX -> path.startsWith(pattern.substring(0, pattern.length() - 2));
                case SUFFIX -> {
                    String suffix = pattern.substring(2);
                    yield path.endsWith(suffix) || (suffix.startsWith("/") && path.equals(suffix.substring(1)));
                }
                case REGEX -> regex.matcher(path).matches();
            };
        }
    }

    public static final IgnorePatterns NONE = new IgnorePatterns(List.of());

    private final List<Rule> rules;

    private IgnorePatterns(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    /** Reads a .dockerignore file's content. */
    public static IgnorePatterns parse(byte[] content) {
        String text = new String(content, StandardCharsets.UTF_8);
        if (text.startsWith("\uFEFF")) text = text.substring(1);
        List<String> patterns = new ArrayList<>();
        for (String line : text.split("\r?\n")) {
            if (line.startsWith("#")) continue;
            String pattern = line.strip();
            if (pattern.isEmpty()) continue;
            boolean exception = pattern.charAt(0) == '!';
            if (exception) pattern = pattern.substring(1).strip();
            if (!pattern.isEmpty()) {
                pattern = clean(pattern);
                if (pattern.length() > 1 && pattern.charAt(0) == '/') pattern = pattern.substring(1);
            }
            patterns.add(exception ? "!" + pattern : pattern);
        }
        return of(patterns);
    }

    /** Rules from patterns already read ({@code !} marks an exception), as COPY --exclude gives them. */
    public static IgnorePatterns of(List<String> patterns) {
        List<Rule> rules = new ArrayList<>();
        for (String raw : patterns) {
            String p = raw.strip();
            if (p.isEmpty()) continue;
            boolean exception = p.charAt(0) == '!';
            if (exception) {
                if (p.length() == 1) throw new IllegalArgumentException("illegal exclusion pattern: \"!\"");
                p = p.substring(1);
            }
            p = clean(p);
            rules.add(compile(p, exception));
        }
        return new IgnorePatterns(rules);
    }

    public boolean isEmpty() {
        return rules.isEmpty();
    }

    /** True when some rule is an exception, so an excluded directory may still hold included files. */
    public boolean hasExceptions() {
        return rules.stream().anyMatch(Rule::exception);
    }

    /** Whether {@code path} (relative to the context, '/'-separated, clean) is excluded. */
    public boolean excludes(String path) {
        if (path.isEmpty() || path.equals(".")) return false;
        boolean matched = false;
        int slash = path.lastIndexOf('/');
        String parent = slash < 0 ? null : path.substring(0, slash);
        for (Rule rule : rules) {
            // An exception matters only once something matched; an exclusion only while nothing has.
            if (rule.exception() != matched) continue;
            boolean match = rule.matches(path);
            if (!match && parent != null) {
                int end = -1;
                while (!match) {
                    end = parent.indexOf('/', end + 1);
                    String prefix = end < 0 ? parent : parent.substring(0, end);
                    match = rule.matches(prefix);
                    if (end < 0) break;
                }
            }
            if (match) matched = !rule.exception();
        }
        return matched;
    }

    private static Rule compile(String pattern, boolean exception) {
        StringBuilder re = new StringBuilder();
        Kind kind = Kind.EXACT;
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '*' && i + 1 < pattern.length() && pattern.charAt(i + 1) == '*') {
                boolean atStart = i == 0;
                i++;
                if (i + 1 < pattern.length() && pattern.charAt(i + 1) == '/') i++;
                if (i + 1 >= pattern.length()) {
                    // "**" at the end accepts everything below, as .gitignore does.
                    if (kind == Kind.EXACT) kind = Kind.PREFIX;
                    else {
                        re.append(".*");
                        kind = Kind.REGEX;
                    }
                } else {
                    re.append("(.*/)?");
                    kind = Kind.REGEX;
                }
                if (atStart) kind = Kind.SUFFIX;
                continue;
            }
            int next = i + 1;
            if (c == '\\' && next < pattern.length()) next++;
            else if (c == '[') next = pattern.indexOf(']', i + 2) + 1;
            if (next <= i) throw Glob.bad(pattern, "unterminated character class");
            if (c == '*' || c == '?' || c == '[' || c == '\\') kind = Kind.REGEX;
            re.append(Glob.translate(pattern, i, next));
            i = next - 1;
        }
        return new Rule(pattern, exception, kind, kind == Kind.REGEX ? Pattern.compile(re.toString()) : null);
    }

    /** Go's filepath.Clean on a '/'-separated path: no empty, "." or inner ".." elements, no trailing '/'. */
    static String clean(String path) {
        boolean rooted = path.startsWith("/");
        List<String> out = new ArrayList<>();
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) continue;
            if (part.equals("..")) {
                if (!out.isEmpty() && !out.getLast().equals("..")) out.removeLast();
                else if (!rooted) out.add("..");
                continue;
            }
            out.add(part);
        }
        String joined = String.join("/", out);
        if (rooted) return "/" + joined;
        return joined.isEmpty() ? "." : joined;
    }
}
