package dev.vireo.build.dockerfile;

import dev.vireo.json.Json;
import dev.vireo.json.JsonException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** How instruction arguments split into words before any substitution, as Docker's parser splits them. */
final class Words {
    private Words() {}

    /**
     * Splits at whitespace outside quotes, keeping the quotes and escapes in the words (variable
     * substitution removes them later). An escape character keeps the next character in the
     * word, also a quote or a blank; in single quotes it escapes nothing.
     */
    static List<String> split(String text, char escape) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        boolean blankOk = false;
        char quote = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote != 0) {
                if (c == escape && quote != '\'') {
                    if (i + 1 < text.length()) word.append(c).append(text.charAt(++i));
                    continue;
                }
                word.append(c);
                if (c == quote) quote = 0;
                continue;
            }
            if (Character.isWhitespace(c)) {
                if (inWord && (blankOk || !word.isEmpty())) words.add(word.toString());
                word.setLength(0);
                inWord = false;
                blankOk = false;
                continue;
            }
            inWord = true;
            if (c == '\'' || c == '"') {
                quote = c;
                blankOk = true;
                word.append(c);
            } else if (c == escape) {
                if (i + 1 < text.length()) word.append(c).append(text.charAt(++i));
            } else {
                word.append(c);
            }
        }
        if (inWord && (blankOk || !word.isEmpty())) words.add(word.toString());
        return words;
    }

    /** The strings of a JSON array of strings, or null when {@code text} is not one (then it is shell form). */
    static List<String> jsonArray(String text) {
        String t = text.strip();
        if (!t.startsWith("[")) return null;
        try {
            if (!(Json.parse(t.getBytes(StandardCharsets.UTF_8), "exec form") instanceof List<?> items)) return null;
            List<String> values = new ArrayList<>();
            for (Object item : items) {
                if (!(item instanceof String s)) return null;
                values.add(s);
            }
            return values;
        } catch (JsonException e) {
            return null;
        }
    }
}
