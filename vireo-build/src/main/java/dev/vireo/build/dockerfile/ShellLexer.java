package dev.vireo.build.dockerfile;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Variable substitution as the Dockerfile reference defines it for ADD, COPY, ENV, EXPOSE,
 * FROM, LABEL, STOPSIGNAL, USER, VOLUME and WORKDIR: {@code $V}, {@code ${V}}, {@code ${V:-w}},
 * {@code ${V-w}}, {@code ${V:+w}}, {@code ${V+w}}, {@code ${V:?msg}}, {@code ${V?msg}}, and
 * the pattern forms {@code # ## % %% / //}. Single quotes keep text literal; inside double
 * quotes the escape character escapes only {@code "}, {@code $} and itself; outside quotes it
 * escapes any character. Quotes are removed from the result, as a shell removes them.
 */
public final class ShellLexer {
    private final char escape;

    public ShellLexer(char escape) {
        this.escape = escape;
    }

    /** Thrown for a malformed word; the parser or builder adds the file, line and instruction. */
    public static final class SyntaxError extends RuntimeException {
        SyntaxError(String message) {
            super(message);
        }
    }

    /** One word with variables substituted; {@code env} returns null for an unset variable. */
    public String word(String text, Function<String, String> env) {
        Words out = new Words(false);
        new Scan(text, env, out).run(-1);
        return out.single();
    }

    /**
     * The body of a here-document whose terminator was not quoted: variables substituted, the
     * escape character escaping only {@code $} and itself, quotes left as they are (a shell's rule).
     */
    public String heredoc(String text, Function<String, String> env) {
        Words out = new Words(false);
        Scan scan = new Scan(text, env, out);
        scan.raw = true;
        scan.run(-1);
        return out.single();
    }

    /** Words split at unquoted whitespace, including whitespace that an unquoted variable's value brings. */
    public List<String> words(String text, Function<String, String> env) {
        Words out = new Words(true);
        new Scan(text, env, out).run(-1);
        return out.all();
    }

    /** Collects output characters, splitting at unquoted whitespace when asked. */
    private static final class Words {
        private final boolean split;
        private final List<String> words = new ArrayList<>();
        private StringBuilder current = new StringBuilder();
        private boolean started;

        Words(boolean split) {
            this.split = split;
        }

        void add(int c, boolean quoted) {
            if (split && !quoted && Character.isWhitespace(c)) {
                if (started) words.add(current.toString());
                current = new StringBuilder();
                started = false;
                return;
            }
            current.appendCodePoint(c);
            started = true;
        }

        void add(String s, boolean quoted) {
            s.codePoints().forEach(c -> add(c, quoted));
        }

        /** A quoted empty string is still a word. */
        void markWord() {
            started = true;
        }

        String single() {
            return current.toString();
        }

        List<String> all() {
            if (started) words.add(current.toString());
            return words;
        }
    }

    private final class Scan {
        private final String text;
        private final Function<String, String> env;
        private final Words out;
        private int pos;
        /** Here-document text: quotes are ordinary characters. */
        private boolean raw;

        Scan(String text, Function<String, String> env, Words out) {
            this.text = text;
            this.env = env;
            this.out = out;
        }

        private int peek() {
            return pos < text.length() ? text.codePointAt(pos) : -1;
        }

        private int next() {
            int c = peek();
            if (c >= 0) pos += Character.charCount(c);
            return c;
        }

        /** Processes until {@code stop} (consumed) or the end; used for the whole word and for ${...} words. */
        void run(int stop) {
            while (true) {
                int c = peek();
                if (c < 0) {
                    if (stop >= 0) throw new SyntaxError("missing '}' in variable substitution");
                    return;
                }
                if (c == stop) {
                    next();
                    return;
                }
                if (c == '\'' && !raw) {
                    singleQuoted();
                } else if (c == '"' && !raw) {
                    doubleQuoted();
                } else if (c == '$') {
                    out.add(dollar(), false);
                } else {
                    next();
                    if (c == escape && raw && peek() != '$' && peek() != escape) {
                        out.add(c, true);
                    } else if (c == escape) {
                        c = next();
                        if (c < 0) return;
                        out.add(c, true);
                    } else {
                        out.add(c, false);
                    }
                }
            }
        }

        private void singleQuoted() {
            next();
            out.markWord();
            while (true) {
                int c = next();
                if (c < 0) throw new SyntaxError("unexpected end of statement while looking for matching single-quote");
                if (c == '\'') return;
                out.add(c, true);
            }
        }

        private void doubleQuoted() {
            next();
            out.markWord();
            while (true) {
                int c = peek();
                if (c < 0) throw new SyntaxError("unexpected end of statement while looking for matching double-quote");
                if (c == '"') {
                    next();
                    return;
                }
                if (c == '$') {
                    out.add(dollar(), true);
                    continue;
                }
                next();
                if (c == escape) {
                    int after = peek();
                    if (after == '"' || after == '$' || after == escape) c = next();
                }
                out.add(c, true);
            }
        }

        /** At a '$': the substituted text, or "$" itself when no name follows. */
        private String dollar() {
            next();
            int c = peek();
            if (c != '{') {
                String name = name();
                if (name.isEmpty()) return "$";
                String value = env.apply(name);
                return value == null ? "" : value;
            }
            next();
            String name = name();
            if (name.isEmpty()) throw new SyntaxError("bad substitution: ${} needs a variable name");
            c = next();
            if (c == '}') {
                String value = env.apply(name);
                return value == null ? "" : value;
            }
            String value = env.apply(name);
            boolean colon = c == ':';
            if (colon) c = next();
            switch (c) {
                case '-', '+', '?' -> {
                    String word = nested();
                    boolean set = colon ? value != null && !value.isEmpty() : value != null;
                    if (c == '-') return set ? value : word;
                    if (c == '+') return set ? word : "";
                    if (!set) throw new SyntaxError(name + ": " + (word.isEmpty() ? "is not allowed to be unset" : word));
                    return value;
                }
                case '#', '%' -> {
                    if (colon) throw new SyntaxError("unsupported modifier (:" + (char) c + ") in substitution");
                    boolean longest = peek() == c;
                    if (longest) next();
                    String pattern = nested();
                    return c == '#' ? trimPrefix(value == null ? "" : value, pattern, longest)
                            : trimSuffix(value == null ? "" : value, pattern, longest);
                }
                case '/' -> {
                    if (colon) throw new SyntaxError("unsupported modifier (:/) in substitution");
                    boolean all = peek() == '/';
                    if (all) next();
                    String pattern = nestedUntilSlash();
                    String replacement = nested();
                    return replace(value == null ? "" : value, pattern, replacement, all);
                }
                case -1 -> throw new SyntaxError("missing '}' in variable substitution");
                default -> throw new SyntaxError("unsupported modifier (" + (colon ? ":" : "") + Character.toString(c)
                        + ") in substitution");
            }
        }

        /** The word of a ${name<op>word} form, itself substituted, up to the closing brace. */
        private String nested() {
            Words inner = new Words(false);
            Scan scan = new Scan(text, env, inner);
            scan.pos = pos;
            scan.run('}');
            pos = scan.pos;
            return inner.single();
        }

        /** The pattern of ${name/pattern/replacement}; a '}' right after it means an empty replacement. */
        private String nestedUntilSlash() {
            StringBuilder raw = new StringBuilder();
            while (peek() >= 0 && peek() != '/' && peek() != '}') {
                int c = next();
                if (c == escape && peek() >= 0) {
                    raw.appendCodePoint(c);
                    c = next();
                }
                raw.appendCodePoint(c);
            }
            if (peek() < 0) throw new SyntaxError("missing '}' in variable substitution");
            if (peek() == '/') next();
            return new ShellLexer(escape).word(raw.toString(), env);
        }

        private String name() {
            StringBuilder name = new StringBuilder();
            int c = peek();
            if (c >= '0' && c <= '9') {
                // Positional parameters ($1) are single digits and never set here.
                name.appendCodePoint(next());
                return name.toString();
            }
            while ((c = peek()) >= 0 && (Character.isLetterOrDigit(c) || c == '_')) name.appendCodePoint(next());
            return name.toString();
        }
    }

    /** A shell glob ({@code *}, {@code ?}, backslash escapes) as a regular expression. */
    static String globRegex(String glob) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            switch (c) {
                case '*' -> re.append(".*");
                case '?' -> re.append('.');
                case '\\' -> {
                    if (i + 1 < glob.length()) re.append(Pattern.quote(String.valueOf(glob.charAt(++i))));
                    else re.append("\\\\");
                }
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return re.toString();
    }

    private static String trimPrefix(String value, String glob, boolean longest) {
        Pattern p = Pattern.compile(globRegex(glob), Pattern.DOTALL);
        if (longest) {
            for (int end = value.length(); end >= 0; end--) if (p.matcher(value.substring(0, end)).matches()) return value.substring(end);
        } else {
            for (int end = 0; end <= value.length(); end++) if (p.matcher(value.substring(0, end)).matches()) return value.substring(end);
        }
        return value;
    }

    private static String trimSuffix(String value, String glob, boolean longest) {
        Pattern p = Pattern.compile(globRegex(glob), Pattern.DOTALL);
        if (longest) {
            for (int start = 0; start <= value.length(); start++) if (p.matcher(value.substring(start)).matches()) return value.substring(0, start);
        } else {
            for (int start = value.length(); start >= 0; start--) if (p.matcher(value.substring(start)).matches()) return value.substring(0, start);
        }
        return value;
    }

    private static String replace(String value, String glob, String replacement, boolean all) {
        if (glob.isEmpty()) return value;
        // Leftmost-longest, as a shell replaces: a greedy regex with the glob's '*' gives it.
        Matcher m = Pattern.compile(globRegex(glob), Pattern.DOTALL).matcher(value);
        StringBuilder out = new StringBuilder();
        int last = 0;
        while (m.find()) {
            if (m.end() == m.start()) continue;
            out.append(value, last, m.start()).append(replacement);
            last = m.end();
            if (!all) break;
        }
        return out.append(value.substring(last)).toString();
    }
}
