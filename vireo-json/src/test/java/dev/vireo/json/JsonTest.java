package dev.vireo.json;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class JsonTest {
    record Id(String value) implements Json.Text {
        public static Id parse(String text) {
            if (!text.startsWith("id:")) throw new IllegalArgumentException("invalid id '" + text + "'");
            return new Id(text.substring(3));
        }

        @Override
        public String toString() {
            return "id:" + value;
        }
    }

    record Sparse(String name, List<String> tags, Map<String, String> labels, int count) implements Json.OmitEmpty {}

    record Entry(String osVersion, Id id, List<Id> more, Map<String, Object> loose, Boolean flag) {
        static final Json.Names JSON_NAMES = Json.Names.of("osVersion", "os.version");
    }

    record Misnamed(String a) {
        static final Json.Names JSON_NAMES = Json.Names.of("b", "B");
    }

    private static String text(Object value, Json.Style style) {
        return new String(Json.write(value, style), StandardCharsets.UTF_8);
    }

    @Test
    void textTypesAreStringsBothWays() {
        Entry e = Json.read("{\"os.version\":\"1\",\"id\":\"id:a\",\"more\":[\"id:b\"],\"unknown\":[1,{}]}".getBytes(StandardCharsets.UTF_8),
                Entry.class, "entry");
        assertEquals(new Entry("1", new Id("a"), List.of(new Id("b")), null, null), e);
        assertEquals("{\"os.version\":\"1\",\"id\":\"id:a\",\"more\":[\"id:b\"]}", text(e, Json.Style.COMPACT));
    }

    @Test
    void badValuesNameTheirField() {
        JsonException e = assertThrows(JsonException.class, () -> Json.read(
                "{\"more\":[\"id:b\",\"x\"]}".getBytes(StandardCharsets.UTF_8), Entry.class, "entry"));
        assertEquals("more[1]: invalid id 'x'", e.getMessage());
        assertNull(e.document());
        e = assertThrows(JsonException.class, () -> Json.read("{\"flag\":1}".getBytes(StandardCharsets.UTF_8), Entry.class, "entry"));
        assertEquals("flag: expected true or false", e.getMessage());
        e = assertThrows(JsonException.class, () -> Json.read("[]".getBytes(StandardCharsets.UTF_8), Entry.class, "entry"));
        assertEquals("entry: expected an object", e.getMessage());
        e = assertThrows(JsonException.class, () -> Json.read("{} {".getBytes(StandardCharsets.UTF_8), Entry.class, "entry"));
        assertEquals("entry", e.document());
    }

    @Test
    void namesForComponentsARecordLacksAreAMistake() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Json.write(new Misnamed("x"), Json.Style.COMPACT));
        assertEquals("dev.vireo.json.JsonTest$Misnamed names components it does not have: [b]", e.getMessage());
    }

    @Test
    void omitEmptyLeavesOutEmptyValuesButNotZero() {
        assertEquals("{\"count\":0}", text(new Sparse("", List.of(), Map.of(), 0), Json.Style.COMPACT));
        assertEquals("{\"name\":\"n\",\"tags\":[\"\"],\"count\":1}", text(new Sparse("n", List.of(""), null, 1), Json.Style.COMPACT));
    }

    @Test
    void sortedStyleOrdersMapKeysAtEveryDepth() {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("b", 1);
        inner.put("a", null);
        inner.put("A", List.of(Map.of("z", true)));
        Map<String, Object> outer = new LinkedHashMap<>();
        outer.put("y", inner);
        outer.put("x", 2.5);
        assertEquals("{\"x\":2.5,\"y\":{\"A\":[{\"z\":true}],\"b\":1}}", text(outer, Json.Style.SORTED));
        assertEquals("{\"y\":{\"b\":1,\"A\":[{\"z\":true}]},\"x\":2.5}", text(outer, Json.Style.COMPACT));
    }

    @Test
    void treesKeepNumbersAsTheyNeedAndArraysBind() {
        Object tree = Json.parse("{\"i\":1,\"l\":5000000000,\"b\":123456789012345678901234567890,\"d\":0.5}".getBytes(StandardCharsets.UTF_8), "t");
        assertEquals(List.of(Integer.class, Long.class, java.math.BigInteger.class, Double.class),
                ((Map<?, ?>) tree).values().stream().map(Object::getClass).toList());
        assertNull(Json.parse(new byte[0], "t"));
        assertArrayEquals(new Id[] {new Id("a")}, Json.read("[\"id:a\"]".getBytes(StandardCharsets.UTF_8), Id[].class, "ids"));
    }

    private static Object tree(String json) {
        return Json.parse(json.getBytes(StandardCharsets.UTF_8), "t");
    }

    private static String problem(String json) {
        return assertThrows(JsonException.class, () -> tree(json)).getMessage();
    }

    @Test
    void stringsDecodeEscapesAndUtf8() {
        assertEquals(Map.of("k", "a\"/\\\b\f\n\r\t\u00e9\ud83d\ude00é€"),
                tree(" {\"k\" : \"a\\\"\\/\\\\\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00é€\"}\n"));
        assertEquals(List.of(true, false, -0.25e2, -7), tree("[true,false,-0.25e2,-7]"));
        Map<String, Object> nulls = new LinkedHashMap<>();
        nulls.put("a", null);
        nulls.put("b", List.of());
        nulls.put("c", Map.of());
        assertEquals(nulls, tree("{\"a\":null,\"b\":[ ],\"c\":{ }}"));
        assertEquals(Long.MIN_VALUE, tree("-9223372036854775808"));
        assertEquals(new java.math.BigInteger("9223372036854775808"), tree("9223372036854775808"));
    }

    @Test
    void malformedDocumentsNameLineAndColumn() {
        assertEquals("t: not valid JSON at line 2, column 8: expected ',' or '}'", problem("{\"a\":1,\n \"b\":2 \"c\":3}"));
        assertEquals("t: not valid JSON at line 1, column 10: unexpected end of input", problem("{\"state\":"));
        assertEquals("t: not valid JSON at line 1, column 2: unexpected character 'x' (expected a value)", problem("[x]"));
        assertEquals("t: not valid JSON at line 1, column 2: expected a field name in double quotes", problem("{a:1}"));
        assertEquals("t: not valid JSON at line 1, column 4: invalid escape \\q", problem("[\"a\\q\"]"));
        assertEquals("t: not valid JSON at line 1, column 3: control character in a string (escape it)", problem("[\"\n\"]"));
        assertEquals("t: not valid JSON at line 1, column 2: unrecognized token (expected true)", problem("[tru]"));
        assertEquals("t: not valid JSON at line 1, column 4: expected a digit after the decimal point", problem("[1.]"));
        assertEquals("t: not valid JSON at line 1, column 3: expected ',' or ']'", problem("[01]"));
        assertEquals("t: not valid JSON at line 1, column 3: unexpected end of input", problem("[1"));
        assertEquals("t: not valid JSON: more after the object", problem("{} x"));
        assertEquals("t: not valid JSON at line 1, column 2: invalid UTF-8 in a string",
                assertThrows(JsonException.class, () -> Json.parse(new byte[] {'"', (byte) 0xc3, '"'}, "t")).getMessage());
        assertEquals("t: not valid JSON at line 1, column 1002: nested deeper than 1000 levels", problem("[".repeat(2000)));
    }
}
