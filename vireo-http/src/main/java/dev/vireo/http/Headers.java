package dev.vireo.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * HTTP header fields in arrival order; names compare case-insensitively. Mutable while a
 * request or response is being built, read-only by convention afterwards.
 */
public final class Headers {
    private final List<String> names = new ArrayList<>();
    private final List<String> values = new ArrayList<>();

    public Headers() {}

    public static Headers of(String... nameValuePairs) {
        if (nameValuePairs.length % 2 != 0) throw new IllegalArgumentException("header names and values come in pairs");
        Headers headers = new Headers();
        for (int i = 0; i < nameValuePairs.length; i += 2) headers.add(nameValuePairs[i], nameValuePairs[i + 1]);
        return headers;
    }

    /** Appends a field, keeping any earlier ones of the same name. */
    public Headers add(String name, String value) {
        names.add(name);
        values.add(value);
        return this;
    }

    /** Replaces every field of this name with one. */
    public Headers set(String name, String value) {
        remove(name);
        return add(name, value);
    }

    public Headers remove(String name) {
        for (int i = names.size() - 1; i >= 0; i--) {
            if (names.get(i).equalsIgnoreCase(name)) {
                names.remove(i);
                values.remove(i);
            }
        }
        return this;
    }

    /** The first value of the field, if present. */
    public Optional<String> first(String name) {
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).equalsIgnoreCase(name)) return Optional.of(values.get(i));
        }
        return Optional.empty();
    }

    public String get(String name) {
        return first(name).orElse(null);
    }

    public List<String> all(String name) {
        List<String> found = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).equalsIgnoreCase(name)) found.add(values.get(i));
        }
        return found;
    }

    /**
     * Every comma-separated element of every field of this name, trimmed, as for list-valued
     * fields such as {@code Accept}, {@code Connection} or {@code Transfer-Encoding}.
     */
    public List<String> elements(String name) {
        List<String> found = new ArrayList<>();
        for (String value : all(name)) {
            for (String element : value.split(",")) {
                String trimmed = element.strip();
                if (!trimmed.isEmpty()) found.add(trimmed);
            }
        }
        return found;
    }

    /** Whether a list-valued field holds this token, ignoring case (e.g. {@code Connection: close}). */
    public boolean hasToken(String name, String token) {
        for (String element : elements(name)) {
            if (element.toLowerCase(Locale.ROOT).equals(token.toLowerCase(Locale.ROOT))) return true;
        }
        return false;
    }

    public boolean contains(String name) {
        return first(name).isPresent();
    }

    public int size() {
        return names.size();
    }

    public void forEach(BiConsumer<String, String> action) {
        for (int i = 0; i < names.size(); i++) action.accept(names.get(i), values.get(i));
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        forEach((name, value) -> text.append(name).append(": ").append(value).append('\n'));
        return text.toString();
    }
}
