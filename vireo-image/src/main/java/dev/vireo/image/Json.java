package dev.vireo.image;

import dev.vireo.json.JsonException;
import dev.vireo.oci.BadContentException;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * JSON for the image documents, on {@link dev.vireo.json.Json}. Reading ignores fields this code
 * does not model (images in the wild carry many); writing is compact with record fields in
 * declaration order and map keys sorted, so the bytes, and with them the digests, of a document
 * Vireo writes are the same every time. What is wrong in a document is a
 * {@link BadContentException}.
 */
public final class Json {
    private Json() {}

    public static <T> T read(byte[] json, Class<T> type, String what) {
        try {
            return dev.vireo.json.Json.read(json, type, what);
        } catch (JsonException e) {
            throw malformed(what, e);
        }
    }

    /** The document as maps and lists, for a first look before it is {@link #bind bound}; it must be an object. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> tree(byte[] json, String what) {
        try {
            if (dev.vireo.json.Json.parse(json, what) instanceof Map<?, ?> tree) return (Map<String, Object>) tree;
        } catch (JsonException e) {
            throw malformed(what, e);
        }
        throw new BadContentException("malformed " + what + ": not a JSON object");
    }

    /** A {@link #tree} as a {@code type}. */
    public static <T> T bind(Map<String, Object> tree, Class<T> type, String what) {
        try {
            return dev.vireo.json.Json.bind(tree, type);
        } catch (JsonException e) {
            throw malformed(what, e);
        }
    }

    private static BadContentException malformed(String what, JsonException e) {
        return new BadContentException("malformed " + what + ": " + (e.field() != null ? e.getMessage() : e.problem()), e);
    }

    public static byte[] write(Object value) {
        return dev.vireo.json.Json.write(value, dev.vireo.json.Json.Style.SORTED);
    }

    /** Indented, for people to read ({@code vireo image inspect}). */
    public static String pretty(Object value) {
        return new String(dev.vireo.json.Json.write(value, dev.vireo.json.Json.Style.INDENTED), StandardCharsets.UTF_8);
    }
}
