package dev.vireo.runtime.spec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import dev.vireo.runtime.ConfigException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON to records and back, by each record's components, on Jackson's streaming parser and
 * generator alone: a CLI process would otherwise spend a third of its life initialising data
 * binding. A value of the wrong kind fails with the path of its field ({@code
 * process.rlimits[1].hard: expected an integer}); absent and null fields are null; unknown
 * fields are ignored, as config.json's readers must; nulls are left out when writing.
 */
public final class Json {
    /** The field's name in JSON where it cannot be the component's name ({@code class}, {@code final}). */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.RECORD_COMPONENT)
    public @interface Name {
        String value();
    }

    private static final JsonFactory FACTORY = new JsonFactory();
    private static final ClassValue<Constructor<?>> CONSTRUCTORS = new ClassValue<>() {
        @Override
        protected Constructor<?> computeValue(Class<?> type) {
            RecordComponent[] components = type.getRecordComponents();
            Class<?>[] types = new Class<?>[components.length];
            for (int i = 0; i < components.length; i++) types[i] = components[i].getType();
            try {
                Constructor<?> c = type.getDeclaredConstructor(types);
                c.setAccessible(true);
                return c;
            } catch (NoSuchMethodException e) {
                throw new IllegalStateException(e);
            }
        }
    };

    private Json() {}

    /** Parses {@code json} (named {@code what} in errors) into a {@code type}. */
    public static <T> T read(byte[] json, Class<T> type, String what) {
        Object tree;
        try (JsonParser p = FACTORY.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw new ConfigException(what + ": expected an object");
            tree = value(p);
            if (p.nextToken() != null) throw new ConfigException(what + ": not valid JSON: more after the object");
        } catch (JsonParseException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            String message = e.getOriginalMessage() == null ? "malformed" : e.getOriginalMessage().split("\n")[0];
            throw new ConfigException(what + ": not valid JSON" + where + ": " + message);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return type.cast(convert(tree, type, ""));
    }

    /** The value at the parser's current token: maps, lists, strings, numbers, booleans or null. */
    private static Object value(JsonParser p) throws IOException {
        switch (p.currentToken()) {
            case START_OBJECT -> {
                Map<String, Object> map = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    map.put(name, value(p));
                }
                return map;
            }
            case START_ARRAY -> {
                List<Object> list = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) list.add(value(p));
                return list;
            }
            case VALUE_STRING -> {
                return p.getText();
            }
            case VALUE_NUMBER_INT -> {
                return p.getBigIntegerValue();
            }
            case VALUE_NUMBER_FLOAT -> {
                return p.getDoubleValue();
            }
            case VALUE_TRUE -> {
                return Boolean.TRUE;
            }
            case VALUE_FALSE -> {
                return Boolean.FALSE;
            }
            default -> {
                return null;
            }
        }
    }

    private static Object convert(Object v, Type type, String path) {
        if (v == null) return null;
        if (type instanceof ParameterizedType p) {
            Type[] args = p.getActualTypeArguments();
            if (p.getRawType() == List.class) {
                if (!(v instanceof List<?> items)) throw wrong(path, "an array");
                List<Object> list = new ArrayList<>(items.size());
                for (int i = 0; i < items.size(); i++) list.add(convert(items.get(i), args[0], path + "[" + i + "]"));
                return Collections.unmodifiableList(list);
            }
            if (p.getRawType() == Map.class) {
                if (!(v instanceof Map<?, ?> entries)) throw wrong(path, "an object");
                Map<String, Object> map = new LinkedHashMap<>();
                entries.forEach((k, e) -> map.put((String) k, convert(e, args[1], join(path, (String) k))));
                return Collections.unmodifiableMap(map);
            }
        }
        Class<?> c = (Class<?>) type;
        if (c == String.class) {
            if (!(v instanceof String)) throw wrong(path, "a string");
            return v;
        }
        if (c == Boolean.class || c == boolean.class) {
            if (!(v instanceof Boolean)) throw wrong(path, "true or false");
            return v;
        }
        if (c == Integer.class || c == int.class || c == Long.class || c == long.class || c == BigInteger.class) {
            if (!(v instanceof BigInteger n)) throw wrong(path, "an integer");
            if (c == BigInteger.class) return n;
            boolean small = c == Integer.class || c == int.class;
            if (n.bitLength() > (small ? 31 : 63)) throw new ConfigException(path, n + " does not fit in " + (small ? 32 : 64) + " bits");
            return small ? (Object) n.intValue() : (Object) n.longValue();
        }
        if (c.isEnum()) {
            for (Object constant : c.getEnumConstants()) if (constant.toString().equals(v)) return constant;
            throw new ConfigException(path, "unknown value " + v);
        }
        if (c.isRecord()) {
            if (!(v instanceof Map<?, ?> fields)) throw wrong(path, "an object");
            RecordComponent[] components = c.getRecordComponents();
            Object[] values = new Object[components.length];
            for (int i = 0; i < components.length; i++) {
                String name = name(components[i]);
                values[i] = convert(fields.get(name), components[i].getGenericType(), join(path, name));
                if (values[i] == null && components[i].getType().isPrimitive()) throw new ConfigException(join(path, name), "missing");
            }
            try {
                return CONSTRUCTORS.get(c).newInstance(values);
            } catch (InvocationTargetException e) {
                if (e.getCause() instanceof RuntimeException r) throw r;
                throw new IllegalStateException(e.getCause());
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("no JSON mapping for " + type);
    }

    private static ConfigException wrong(String path, String expected) {
        return new ConfigException(path.isEmpty() ? "the document" : path, "expected " + expected);
    }

    private static String join(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    private static String name(RecordComponent c) {
        Name n = c.getAnnotation(Name.class);
        return n != null ? n.value() : c.getName();
    }

    /** Pretty-printed, tab-indented, as runc prints its JSON. */
    public static String write(Object value) {
        DefaultPrettyPrinter pretty = new DefaultPrettyPrinter(Separators.createDefaultInstance()
                .withObjectFieldValueSpacing(Separators.Spacing.AFTER))
                .withObjectIndenter(new DefaultIndenter("\t", "\n"))
                .withArrayIndenter(new DefaultIndenter("\t", "\n"));
        return new String(generate(value, pretty), StandardCharsets.UTF_8) + "\n";
    }

    /** On one line, for files the runtime reads back. */
    public static byte[] compact(Object value) {
        return generate(value, null);
    }

    private static byte[] generate(Object value, DefaultPrettyPrinter pretty) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            if (pretty != null) g.setPrettyPrinter(pretty);
            write(g, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Records, lists, maps, strings, numbers, booleans and enums (by their text). */
    private static void write(JsonGenerator g, Object value) throws IOException {
        switch (value) {
            case null -> g.writeNull();
            case String s -> g.writeString(s);
            case Boolean b -> g.writeBoolean(b);
            case Integer i -> g.writeNumber(i);
            case Long l -> g.writeNumber(l);
            case BigInteger b -> g.writeNumber(b);
            case Double d -> g.writeNumber(d);
            case Enum<?> e -> g.writeString(e.toString());
            case List<?> list -> {
                g.writeStartArray();
                for (Object o : list) write(g, o);
                g.writeEndArray();
            }
            case Map<?, ?> map -> {
                g.writeStartObject();
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    if (e.getValue() == null) continue;
                    g.writeFieldName(e.getKey().toString());
                    write(g, e.getValue());
                }
                g.writeEndObject();
            }
            case Record r -> {
                g.writeStartObject();
                for (RecordComponent c : r.getClass().getRecordComponents()) {
                    Object v;
                    try {
                        Method accessor = c.getAccessor();
                        accessor.setAccessible(true);
                        v = accessor.invoke(r);
                    } catch (ReflectiveOperationException e) {
                        throw new IllegalStateException(e);
                    }
                    if (v == null) continue;
                    g.writeFieldName(name(c));
                    write(g, v);
                }
                g.writeEndObject();
            }
            default -> throw new IllegalStateException("no JSON mapping for " + value.getClass());
        }
    }
}
