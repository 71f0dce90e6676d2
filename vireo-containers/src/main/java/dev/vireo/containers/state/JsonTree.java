package dev.vireo.containers.state;

import dev.vireo.json.Json;
import dev.vireo.json.JsonException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Looks at a {@link Json#parse parsed} document loosely: a field of the wrong kind reads as absent. */
final class JsonTree {
    private JsonTree() {}

    @SuppressWarnings("unchecked")
    static Map<String, Object> object(byte[] json, String what) throws IOException {
        try {
            if (Json.parse(json, what) instanceof Map<?, ?> object) return (Map<String, Object>) object;
        } catch (JsonException e) {
            throw new IOException(e.getMessage(), e);
        }
        throw new IOException(what + ": not a JSON object");
    }

    static String string(Map<String, Object> m, String key) {
        return m.get(key) instanceof String s ? s : null;
    }

    static long number(Map<String, Object> m, String key) {
        return m.get(key) instanceof Number n ? n.longValue() : 0;
    }

    static boolean bool(Map<String, Object> m, String key) {
        return Boolean.TRUE.equals(m.get(key));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Map<String, Object> m, String key) {
        return m.get(key) instanceof Map<?, ?> x ? (Map<String, Object>) x : null;
    }

    static List<String> strings(Map<String, Object> m, String key) {
        if (!(m.get(key) instanceof List<?> list)) return null;
        List<String> out = new ArrayList<>();
        for (Object o : list) out.add(String.valueOf(o));
        return out;
    }
}
