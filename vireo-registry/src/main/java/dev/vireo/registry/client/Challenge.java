package dev.vireo.registry.client;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A {@code WWW-Authenticate} challenge (RFC 9110 §11.6.1): a scheme and its parameters. */
public record Challenge(String scheme, Map<String, String> parameters) {
    private static final Pattern PARAMETER = Pattern.compile("\\s*([A-Za-z0-9_-]+)\\s*=\\s*(?:\"((?:[^\"\\\\]|\\\\.)*)\"|([^,\\s]*))\\s*,?");

    public static Optional<Challenge> parse(String header) {
        if (header == null || header.isBlank()) return Optional.empty();
        String text = header.strip();
        int space = text.indexOf(' ');
        String scheme = space < 0 ? text : text.substring(0, space);
        Map<String, String> parameters = new LinkedHashMap<>();
        if (space > 0) {
            Matcher m = PARAMETER.matcher(text.substring(space + 1));
            while (m.lookingAt()) {
                String value = m.group(2) != null ? m.group(2).replaceAll("\\\\(.)", "$1") : m.group(3);
                parameters.put(m.group(1).toLowerCase(java.util.Locale.ROOT), value);
                m.region(m.end(), m.regionEnd());
            }
        }
        return Optional.of(new Challenge(scheme, parameters));
    }

    public boolean isBasic() {
        return scheme.equalsIgnoreCase("Basic");
    }

    public boolean isBearer() {
        return scheme.equalsIgnoreCase("Bearer");
    }
}
