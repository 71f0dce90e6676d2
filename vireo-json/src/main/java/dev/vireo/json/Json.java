package dev.vireo.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.PrettyPrinter;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * JSON to records and back, by each record's components, on Jackson's streaming parser and
 * generator alone: a CLI process would otherwise spend a third of its life initialising data
 * binding. A value of the wrong kind fails with the path of its field ({@code
 * process.rlimits[1].hard: expected an integer}); absent and null fields are null; unknown
 * fields are ignored, as readers of the OCI documents must; nulls are left out when writing.
 *
 * <p>What binds: records (by component, named by {@link Name} where the JSON name is no Java
 * name), {@code List}, {@code Map} with string keys, arrays (read only), strings, booleans, {@code int},
 * {@code long}, {@code BigInteger}, {@code double}, enums (by their {@code toString()}),
 * {@link Text} types, and {@code Object}, which takes the value as {@link #parse parsed}.
 */
public final class Json {
    /** The field's name in JSON where it cannot be the component's name ({@code class}, {@code os.version}). */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.RECORD_COMPONENT)
    public @interface Name {
        String value();
    }

    /**
     * A value type written as the string its {@code toString()} returns and read by its
     * {@code public static parse(String)}; an {@code IllegalArgumentException} from {@code parse}
     * is reported at the field's path. (A digest, {@code sha256:...}.)
     */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    public @interface Text {}

    /** A record whose empty strings, lists and maps are left out when written, as null ones are. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    public @interface OmitEmpty {}

    /** How {@link #write} lays a document out. */
    public enum Style {
        /** On one line, maps in their own order. */
        COMPACT,
        /** On one line, maps by their keys: the bytes of equal documents are equal, and so are their digests. */
        SORTED,
        /** Two-space indents, {@code "key": value}, an array element per line (Docker's {@code inspect}). */
        INDENTED,
        /** Tab indents, {@code "key": value} (runc's JSON). */
        TABS;

        PrettyPrinter printer() {
            Separators spacing = Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER);
            return switch (this) {
                case COMPACT, SORTED -> null;
                case INDENTED -> new DefaultPrettyPrinter(spacing).withArrayIndenter(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE);
                case TABS -> new DefaultPrettyPrinter(spacing)
                        .withObjectIndenter(new DefaultIndenter("\t", "\n"))
                        .withArrayIndenter(new DefaultIndenter("\t", "\n"));
            };
        }
    }

    private static final JsonFactory FACTORY = new JsonFactory();
    /**
     * A record type as JSON sees it, looked up once per type: Class.getRecordComponents copies
     * the components anew on every call, and each copy parses its annotations again.
     */
    private record Shape(RecordComponent[] components, String[] names, Method[] accessors, Constructor<?> constructor) {}

    private static final ClassValue<Shape> SHAPES = new ClassValue<>() {
        @Override
        protected Shape computeValue(Class<?> type) {
            RecordComponent[] components = type.getRecordComponents();
            Class<?>[] types = new Class<?>[components.length];
            String[] names = new String[components.length];
            Method[] accessors = new Method[components.length];
            for (int i = 0; i < components.length; i++) {
                types[i] = components[i].getType();
                names[i] = name(components[i]);
                accessors[i] = components[i].getAccessor();
                accessors[i].setAccessible(true);
            }
            try {
                Constructor<?> c = type.getDeclaredConstructor(types);
                c.setAccessible(true);
                return new Shape(components, names, accessors, c);
            } catch (NoSuchMethodException e) {
                throw new IllegalStateException(e);
            }
        }
    };
    private static final ClassValue<Method> PARSERS = new ClassValue<>() {
        @Override
        protected Method computeValue(Class<?> type) {
            try {
                Method parse = type.getMethod("parse", String.class);
                if (!Modifier.isStatic(parse.getModifiers())) throw new IllegalStateException(type + ".parse(String) is not static");
                return parse;
            } catch (NoSuchMethodException e) {
                throw new IllegalStateException(type + " is @Json.Text but has no parse(String)", e);
            }
        }
    };

    private Json() {}

    /**
     * Parses {@code json} (named {@code what} in errors) into a {@code type}; a record needs an
     * object, anything else any value.
     */
    public static <T> T read(byte[] json, Class<T> type, String what) {
        Object tree = parse(json, what);
        if (type.isRecord() && !(tree instanceof Map)) throw JsonException.inDocument(what, "expected an object");
        return type.cast(bind(tree, type, ""));
    }

    /**
     * The document as mutable maps (in document order), lists, strings, numbers ({@code Integer},
     * {@code Long} or {@code BigInteger} as the value needs; {@code Double}), booleans and
     * nulls; null for an empty document.
     */
    public static Object parse(byte[] json, String what) {
        try (JsonParser p = FACTORY.createParser(json)) {
            if (p.nextToken() == null) return null;
            Object tree = value(p);
            if (p.nextToken() != null) throw JsonException.inDocument(what, "not valid JSON: more after the object");
            return tree;
        } catch (JsonParseException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            String message = e.getOriginalMessage() == null ? "malformed" : e.getOriginalMessage().split("\n")[0];
            throw JsonException.inDocument(what, "not valid JSON" + where + ": " + message);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The value at the parser's current token. */
    private static Object value(JsonParser p) throws IOException {
        return switch (p.currentToken()) {
            case START_OBJECT -> {
                Map<String, Object> map = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    map.put(name, value(p));
                }
                yield map;
            }
            case START_ARRAY -> {
                List<Object> list = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) list.add(value(p));
                yield list;
            }
            case VALUE_STRING -> p.getText();
            case VALUE_NUMBER_INT -> p.getNumberValue();
            case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            default -> null;
        };
    }

    /** The value at {@code keys} in a {@link #parse parsed} tree, object by object; null where there is none. */
    public static Object at(Object tree, String... keys) {
        Object v = tree;
        for (String key : keys) v = v instanceof Map<?, ?> m ? m.get(key) : null;
        return v;
    }

    /** A {@link #parse parsed} value as a {@code type}, such as a document first looked at loosely. */
    public static <T> T bind(Object tree, Class<T> type) {
        return type.cast(bind(tree, type, ""));
    }

    /** Errors name the field by its path below {@code path}. */
    private static Object bind(Object v, Type type, String path) {
        if (v == null) return null;
        if (type == Object.class) return v;
        if (type instanceof ParameterizedType p) {
            Type[] args = p.getActualTypeArguments();
            if (p.getRawType() == List.class) {
                if (!(v instanceof List<?> items)) throw wrong(path, "an array");
                List<Object> list = new ArrayList<>(items.size());
                for (int i = 0; i < items.size(); i++) list.add(bind(items.get(i), args[0], path + "[" + i + "]"));
                return Collections.unmodifiableList(list);
            }
            if (p.getRawType() == Map.class) {
                if (!(v instanceof Map<?, ?> entries)) throw wrong(path, "an object");
                Map<String, Object> map = new LinkedHashMap<>();
                entries.forEach((k, e) -> map.put((String) k, bind(e, args[1], join(path, (String) k))));
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
            BigInteger n = switch (v) {
                case BigInteger b -> b;
                case Integer i -> BigInteger.valueOf(i);
                case Long l -> BigInteger.valueOf(l);
                default -> throw wrong(path, "an integer");
            };
            if (c == BigInteger.class) return n;
            boolean small = c == Integer.class || c == int.class;
            if (n.bitLength() > (small ? 31 : 63)) throw JsonException.atField(path, n + " does not fit in " + (small ? 32 : 64) + " bits");
            return small ? (Object) n.intValue() : (Object) n.longValue();
        }
        if (c == Double.class || c == double.class) {
            if (!(v instanceof Number n)) throw wrong(path, "a number");
            return n.doubleValue();
        }
        if (c.isEnum()) {
            for (Object constant : c.getEnumConstants()) if (constant.toString().equals(v)) return constant;
            throw JsonException.atField(path, "unknown value " + v);
        }
        if (c.isArray()) {
            if (!(v instanceof List<?> items)) throw wrong(path, "an array");
            Object array = Array.newInstance(c.getComponentType(), items.size());
            for (int i = 0; i < items.size(); i++) Array.set(array, i, bind(items.get(i), c.getComponentType(), path + "[" + i + "]"));
            return array;
        }
        if (c.isAnnotationPresent(Text.class)) {
            if (!(v instanceof String s)) throw wrong(path, "a string");
            try {
                return PARSERS.get(c).invoke(null, s);
            } catch (InvocationTargetException e) {
                if (e.getCause() instanceof IllegalArgumentException bad) throw JsonException.atField(path, bad.getMessage());
                throw rethrow(e);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
        if (c.isRecord()) {
            if (!(v instanceof Map<?, ?> fields)) throw wrong(path, "an object");
            Shape shape = SHAPES.get(c);
            RecordComponent[] components = shape.components();
            Object[] values = new Object[components.length];
            for (int i = 0; i < components.length; i++) {
                String name = shape.names()[i];
                values[i] = bind(fields.get(name), components[i].getGenericType(), join(path, name));
                if (values[i] == null && components[i].getType().isPrimitive()) throw JsonException.atField(join(path, name), "missing");
            }
            try {
                return shape.constructor().newInstance(values);
            } catch (InvocationTargetException e) {
                throw rethrow(e);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("no JSON mapping for " + type);
    }

    /** What a constructor or parser threw, unchanged when it is unchecked. */
    private static RuntimeException rethrow(InvocationTargetException e) {
        if (e.getCause() instanceof RuntimeException r) return r;
        if (e.getCause() instanceof Error error) throw error;
        return new IllegalStateException(e.getCause());
    }

    private static JsonException wrong(String path, String expected) {
        return JsonException.atField(path, "expected " + expected);
    }

    private static String join(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    private static String name(RecordComponent c) {
        Name n = c.getAnnotation(Name.class);
        return n != null ? n.value() : c.getName();
    }

    /**
     * {@code value} in {@code style}: records, lists, arrays, maps, strings, numbers, booleans,
     * enums and {@link Text} types (by their text). Null fields and map entries are left out.
     */
    public static byte[] write(Object value, Style style) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            PrettyPrinter printer = style.printer();
            if (printer != null) g.setPrettyPrinter(printer);
            write(g, value, style == Style.SORTED);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void write(JsonGenerator g, Object value, boolean sorted) throws IOException {
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
                for (Object o : list) write(g, o, sorted);
                g.writeEndArray();
            }
            case Map<?, ?> map -> {
                g.writeStartObject();
                for (Map.Entry<?, ?> e : (sorted ? new TreeMap<>(map) : map).entrySet()) {
                    if (e.getValue() == null) continue;
                    g.writeFieldName(e.getKey().toString());
                    write(g, e.getValue(), sorted);
                }
                g.writeEndObject();
            }
            case Object text when text.getClass().isAnnotationPresent(Text.class) -> g.writeString(text.toString());
            case Record r -> {
                g.writeStartObject();
                boolean omitEmpty = r.getClass().isAnnotationPresent(OmitEmpty.class);
                Shape shape = SHAPES.get(r.getClass());
                for (int i = 0; i < shape.accessors().length; i++) {
                    Object v;
                    try {
                        v = shape.accessors()[i].invoke(r);
                    } catch (ReflectiveOperationException e) {
                        throw new IllegalStateException(e);
                    }
                    if (v == null || omitEmpty && isEmpty(v)) continue;
                    g.writeFieldName(shape.names()[i]);
                    write(g, v, sorted);
                }
                g.writeEndObject();
            }
            default -> throw new IllegalStateException("no JSON mapping for " + value.getClass());
        }
    }

    private static boolean isEmpty(Object v) {
        return v instanceof String s && s.isEmpty() || v instanceof Collection<?> c && c.isEmpty() || v instanceof Map<?, ?> m && m.isEmpty();
    }
}
