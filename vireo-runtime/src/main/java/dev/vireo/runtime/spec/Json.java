package dev.vireo.runtime.spec;

import dev.vireo.json.JsonException;
import dev.vireo.runtime.ConfigException;

import java.nio.charset.StandardCharsets;

/**
 * The runtime's JSON on {@link dev.vireo.json.Json}: what is wrong in a document is a
 * {@link ConfigException} naming the field; output is tab-indented, as runc prints its JSON.
 */
public final class Json {
    private Json() {}

    /** Parses {@code json} (named {@code what} in errors) into a {@code type}. */
    public static <T> T read(byte[] json, Class<T> type, String what) {
        try {
            return dev.vireo.json.Json.read(json, type, what);
        } catch (JsonException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    /** Pretty-printed, tab-indented, as runc prints its JSON. */
    public static String write(Object value) {
        return new String(dev.vireo.json.Json.write(value, dev.vireo.json.Json.Style.TABS), StandardCharsets.UTF_8) + "\n";
    }

    /** On one line, for files the runtime reads back. */
    public static byte[] compact(Object value) {
        return dev.vireo.json.Json.write(value, dev.vireo.json.Json.Style.COMPACT);
    }
}
