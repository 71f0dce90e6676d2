package dev.vireo.build.dockerfile;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The first stage of parsing, as BuildKit's parser does it: parser directives at the top
 * ({@code # escape=}, {@code # syntax=}, {@code # check=}), then logical lines: comment lines
 * dropped (also inside a continued instruction), the escape character at the end of a line
 * (trailing blanks allowed) joining it with the next, empty continuation lines skipped with a
 * warning, and here-documents of RUN, COPY and ADD read up to their terminator.
 */
final class LineReader {
    private static final Pattern DIRECTIVE = Pattern.compile("^#[ \\t]*([a-zA-Z][a-zA-Z0-9]*)[ \\t]*=[ \\t]*(.+?)[ \\t]*$");
    private static final Pattern HEREDOC = Pattern.compile("<<(-?)[ \\t]*(?:\"([^\"]+)\"|'([^']+)'|([A-Za-z0-9_.+-]+))");

    /** One instruction's text with its continuations joined, and where it was written. */
    record LogicalLine(int line, int endLine, String text, List<Heredoc> heredocs) {}

    /** What the top of the file said, and the logical lines after it. */
    record Result(char escape, String syntax, List<LogicalLine> lines, List<String> warnings) {}

    private final String file;
    private final List<String> physical;
    private final List<String> warnings = new ArrayList<>();
    private int index;

    private LineReader(String file, String text) {
        this.file = file;
        this.physical = new ArrayList<>(List.of(text.split("\n", -1)));
        for (int i = 0; i < physical.size(); i++) {
            String l = physical.get(i);
            if (l.endsWith("\r")) physical.set(i, l.substring(0, l.length() - 1));
        }
        if (!physical.isEmpty() && physical.getLast().isEmpty()) physical.removeLast();
    }

    static Result read(String file, byte[] content) {
        String text = new String(content, StandardCharsets.UTF_8);
        if (text.startsWith("\uFEFF")) text = text.substring(1);
        return new LineReader(file, text).read();
    }

    private Result read() {
        char escape = '\\';
        String syntax = null;
        List<String> seen = new ArrayList<>();
        while (index < physical.size()) {
            Matcher m = DIRECTIVE.matcher(physical.get(index));
            if (!m.matches()) break;
            String key = m.group(1).toLowerCase(Locale.ROOT);
            if (!key.equals("escape") && !key.equals("syntax") && !key.equals("check")) break;
            if (seen.contains(key)) throw new Location(file, index + 1).error(null, "only one " + key + " parser directive can be used");
            seen.add(key);
            String value = m.group(2);
            switch (key) {
                case "escape" -> {
                    if (!value.equals("\\") && !value.equals("`")) {
                        throw new Location(file, index + 1).error(null, "invalid escape token '" + value + "' does not match ` or \\");
                    }
                    escape = value.charAt(0);
                }
                case "syntax" -> syntax = value;
                default -> { } // check=: build checks (lint warnings) are BuildKit's, not the build's
            }
            index++;
        }
        Pattern continuation = Pattern.compile(Pattern.quote(String.valueOf(escape)) + "[ \\t]*$");
        List<LogicalLine> lines = new ArrayList<>();
        while (index < physical.size()) {
            String raw = physical.get(index++);
            String trimmed = raw.stripLeading();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) continue;
            int first = index;
            StringBuilder text = new StringBuilder();
            String part = trimmed;
            while (true) {
                Matcher m = continuation.matcher(part);
                if (!m.find()) {
                    text.append(part);
                    break;
                }
                text.append(part, 0, m.start());
                String next = nextContinued();
                if (next == null) break;
                part = next;
            }
            String joined = text.toString();
            lines.add(new LogicalLine(first, index, joined, heredocs(joined, first, escape)));
        }
        return new Result(escape, syntax, lines, warnings);
    }

    /** The next line that continues an instruction, skipping comments and empty lines; null at the end. */
    private String nextContinued() {
        while (index < physical.size()) {
            String line = physical.get(index++);
            String trimmed = line.stripLeading();
            if (trimmed.startsWith("#")) continue;
            if (trimmed.isEmpty()) {
                warnings.add(file + ":" + index + ": empty continuation line (Docker will make this an error)");
                continue;
            }
            return line;
        }
        return null;
    }

    /** Here-documents of RUN, COPY and ADD: their bodies are the physical lines after the instruction. */
    private List<Heredoc> heredocs(String text, int line, char escape) {
        String keyword = text.split("[ \\t]", 2)[0].toLowerCase(Locale.ROOT);
        if (!keyword.equals("run") && !keyword.equals("copy") && !keyword.equals("add")) return List.of();
        List<Heredoc> docs = new ArrayList<>();
        Matcher m = HEREDOC.matcher(text);
        int from = 0;
        while (m.find(from)) {
            from = m.end();
            if (m.start() > 0 && text.charAt(m.start() - 1) == '<') continue; // <<< is a here-string
            if (insideQuotes(text, m.start(), escape)) continue;
            boolean chomp = m.group(1).equals("-");
            boolean quoted = m.group(4) == null;
            String name = quoted ? (m.group(2) != null ? m.group(2) : m.group(3)) : m.group(4);
            StringBuilder body = new StringBuilder();
            while (true) {
                if (index >= physical.size()) {
                    throw new Location(file, line).error(keyword.toUpperCase(Locale.ROOT),
                            "unterminated here-document: no line '" + name + "' ends it");
                }
                String l = physical.get(index++);
                if (chomp) l = l.replaceFirst("^\t+", "");
                if (l.equals(name)) break;
                body.append(l).append('\n');
            }
            docs.add(new Heredoc(name, body.toString(), !quoted, chomp, m.group()));
        }
        return docs;
    }

    private static boolean insideQuotes(String text, int at, char escape) {
        char quote = 0;
        for (int i = 0; i < at; i++) {
            char c = text.charAt(i);
            if (c == escape && quote != '\'') {
                i++;
            } else if (quote == 0 && (c == '"' || c == '\'')) {
                quote = c;
            } else if (c == quote) {
                quote = 0;
            }
        }
        return quote != 0;
    }
}
