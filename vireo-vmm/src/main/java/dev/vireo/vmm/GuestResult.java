package dev.vireo.vmm;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One {@code RESULT key=value ...} line a guest workload printed, as its ordered fields, such
 * as {@code workload=primes n=100000 count=9592}.
 */
public record GuestResult(Map<String, String> fields) {
    public GuestResult {
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    /** Parses a line that starts with {@code RESULT }; words without {@code =} are ignored. */
    public static GuestResult parse(String line) {
        if (!line.startsWith("RESULT ")) throw new IllegalArgumentException("not a RESULT line: " + line);
        Map<String, String> fields = new LinkedHashMap<>();
        for (String word : line.substring(7).trim().split("\\s+")) {
            int eq = word.indexOf('=');
            if (eq > 0) fields.put(word.substring(0, eq), word.substring(eq + 1));
        }
        return new GuestResult(fields);
    }

    public String get(String key) {
        return fields.get(key);
    }

    public String workload() {
        return fields.get("workload");
    }
}
