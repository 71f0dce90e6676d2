package dev.vireo.build.dockerfile;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code --name=value} and {@code --name} options at the start of an instruction's
 * arguments. Values are kept as written (quotes included): the builder substitutes variables
 * in them when the instruction runs.
 */
final class Flags {
    /** How an instruction declares an option: a value, a boolean, or a value that may repeat. */
    enum Kind { VALUE, BOOL, REPEATED }

    private final Map<String, List<String>> values = new LinkedHashMap<>();
    private final String rest;

    private Flags(String rest) {
        this.rest = rest;
    }

    /** Takes the leading options off {@code args}; an option the instruction does not declare is an error. */
    static Flags parse(String args, Map<String, Kind> declared, char escape, Location where, String keyword) {
        int i = 0;
        Map<String, List<String>> found = new LinkedHashMap<>();
        while (true) {
            while (i < args.length() && Character.isWhitespace(args.charAt(i))) i++;
            if (!args.startsWith("--", i)) break;
            int end = tokenEnd(args, i, escape);
            String token = args.substring(i + 2, end);
            i = end;
            if (token.isEmpty()) break; // "--" ends the options
            int eq = token.indexOf('=');
            String name = eq < 0 ? token : token.substring(0, eq);
            Kind kind = declared.get(name);
            if (kind == null) throw where.error(keyword, "unknown flag: --" + name);
            String value;
            if (eq >= 0) {
                value = token.substring(eq + 1);
                if (value.isEmpty() && kind != Kind.BOOL) throw where.error(keyword, "missing a value on flag: --" + name);
            } else if (kind == Kind.BOOL) {
                value = "true";
            } else {
                throw where.error(keyword, "missing a value on flag: --" + name);
            }
            if (kind == Kind.BOOL && !value.equals("true") && !value.equals("false")) {
                throw where.error(keyword, "expecting boolean value for flag --" + name + ", not: " + value);
            }
            List<String> list = found.computeIfAbsent(name, k -> new ArrayList<>());
            if (!list.isEmpty() && kind != Kind.REPEATED) throw where.error(keyword, "duplicate flag specified: --" + name);
            list.add(value);
        }
        Flags flags = new Flags(args.substring(i).strip());
        flags.values.putAll(found);
        return flags;
    }

    private static int tokenEnd(String s, int i, char escape) {
        char quote = 0;
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == escape && quote != '\'' && i + 1 < s.length()) {
                i++;
            } else if (quote != 0) {
                if (c == quote) quote = 0;
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (Character.isWhitespace(c)) {
                return i;
            }
        }
        return i;
    }

    /** The arguments after the options. */
    String rest() {
        return rest;
    }

    String value(String name) {
        List<String> list = values.get(name);
        return list == null ? null : list.getFirst();
    }

    boolean bool(String name) {
        return "true".equals(value(name));
    }

    List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }

    boolean has(String name) {
        return values.containsKey(name);
    }
}
