package dev.vireo.runtime.spec;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.vireo.runtime.ConfigException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads and writes config.json; a parse error becomes one line naming the field or the position. */
public final class ConfigLoader {
    /** The mapper for every JSON document of the runtime: unknown properties are ignored, as the spec asks. */
    public static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true)
            .configure(SerializationFeature.FAIL_ON_EMPTY_BEANS, false);

    private ConfigLoader() {}

    /** The config.json of {@code bundle}. */
    public static Spec load(Path bundle) {
        Path file = bundle.resolve("config.json");
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException("bundle " + bundle + " has no config.json");
        } catch (IOException e) {
            throw new ConfigException("cannot read " + file + ": " + e.getMessage());
        }
        return parse(bytes);
    }

    public static Spec parse(byte[] json) {
        try {
            Spec spec = JSON.readValue(json, Spec.class);
            if (spec == null) throw new ConfigException("config.json", "is null, not an object");
            return spec;
        } catch (JsonMappingException e) {
            if (e.getCause() instanceof JsonParseException syntax) {
                throw new ConfigException("config.json: not valid JSON" + where(syntax.getLocation()) + ": "
                        + firstLine(syntax.getOriginalMessage()));
            }
            String path = path(e);
            String problem = e instanceof MismatchedInputException m && m.getTargetType() != null
                    ? "expected " + kind(m.getTargetType()) : firstLine(e.getOriginalMessage());
            if (path.isEmpty()) throw new ConfigException("config.json: " + problem + where(e.getLocation()));
            throw new ConfigException(path, problem);
        } catch (JsonProcessingException e) {
            throw new ConfigException("config.json: not valid JSON" + where(e.getLocation()) + ": "
                    + firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new ConfigException("config.json: " + e.getMessage());
        }
    }

    /** Pretty-printed JSON, tab-indented as runc writes it. */
    public static String write(Object value) {
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter(Separators.createDefaultInstance()
                .withObjectFieldValueSpacing(Separators.Spacing.AFTER))
                .withObjectIndenter(new DefaultIndenter("\t", "\n"))
                .withArrayIndenter(new DefaultIndenter("\t", "\n"));
        try {
            return JSON.writer(printer).writeValueAsString(value) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The field path as the spec writes it: {@code process.rlimits[1].hard}. */
    private static String path(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                if (!path.isEmpty()) path.append('.');
                path.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                path.append('[').append(r.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    /** What a JSON value of the type must look like, in the words of JSON. */
    private static String kind(Class<?> type) {
        if (java.util.Collection.class.isAssignableFrom(type)) return "an array";
        if (type == String.class) return "a string";
        if (type == Boolean.class || type == boolean.class) return "true or false";
        if (Number.class.isAssignableFrom(type) || type.isPrimitive()) return "a number";
        return "an object";
    }

    private static String where(JsonLocation location) {
        return location == null || location.getLineNr() < 0 ? ""
                : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }

    private static String firstLine(String message) {
        if (message == null) return "malformed";
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
