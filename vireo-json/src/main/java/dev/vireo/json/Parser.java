package dev.vireo.json;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON text (RFC 8259, UTF-8) to the tree {@link Json#parse} describes. Jackson's parser is not
 * used for reading: initialising it initialises {@code BigDecimal}, whose static tables (5 to
 * the 2<sup>16</sup> among them) cost a command that reads one small file 10 to 25 ms before any
 * JIT has run. Errors give the line and column, as Jackson's did. Nesting is bounded (as
 * Jackson bounds it) so a hostile document is an error, not a stack overflow.
 */
final class Parser {
    private static final int MAX_DEPTH = 1000;

    private final byte[] in;
    private final String what;
    private int pos;

    private Parser(byte[] in, String what) {
        this.in = in;
        this.what = what;
    }

    static Object parse(byte[] json, String what) {
        Parser p = new Parser(json, what);
        p.skipSpace();
        if (p.pos == json.length) return null;
        Object tree = p.value(0);
        p.skipSpace();
        if (p.pos != json.length) throw JsonException.inDocument(what, "not valid JSON: more after the object");
        return tree;
    }

    private Object value(int depth) {
        if (depth > MAX_DEPTH) throw malformed("nested deeper than " + MAX_DEPTH + " levels");
        if (pos == in.length) throw malformed("unexpected end of input");
        return switch (in[pos]) {
            case '{' -> object(depth);
            case '[' -> array(depth);
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> number();
        };
    }

    private Map<String, Object> object(int depth) {
        Map<String, Object> map = new LinkedHashMap<>();
        pos++;
        skipSpace();
        if (peek() == '}') {
            pos++;
            return map;
        }
        while (true) {
            skipSpace();
            if (peek() != '"') throw malformed("expected a field name in double quotes");
            String name = string();
            skipSpace();
            expect(':');
            skipSpace();
            map.put(name, value(depth + 1));
            if (ends('}')) return map;
        }
    }

    private List<Object> array(int depth) {
        List<Object> list = new ArrayList<>();
        pos++;
        skipSpace();
        if (peek() == ']') {
            pos++;
            return list;
        }
        while (true) {
            skipSpace();
            list.add(value(depth + 1));
            if (ends(']')) return list;
        }
    }

    /** A string from its opening quote: ASCII without escapes straight from the bytes, the rest through a strict UTF-8 decoder. */
    private String string() {
        int start = ++pos;
        boolean plain = true;
        for (; pos < in.length && in[pos] != '"'; pos++) {
            byte b = in[pos];
            if (b >= 0 && b < 0x20) throw malformed("control character in a string (escape it)");
            if (b == '\\') {
                pos++;
                plain = false;
            } else if (b < 0) {
                plain = false;
            }
        }
        if (pos >= in.length) throw malformed("unexpected end of input in a string");
        int end = pos++;
        if (plain) return new String(in, start, end - start, StandardCharsets.ISO_8859_1);
        return unescape(start, end);
    }

    private String unescape(int start, int end) {
        StringBuilder out = new StringBuilder(end - start);
        int run = start;
        for (int i = start; i < end; i++) {
            if (in[i] != '\\') continue;
            out.append(utf8(run, i));
            int escape = i;
            char c = (char) in[++i];
            switch (c) {
                case '"', '\\', '/' -> out.append(c);
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> {
                    if (i + 4 >= end) throw malformedAt(escape, "incomplete \\u escape");
                    int code = 0;
                    for (int k = 1; k <= 4; k++) {
                        int digit = Character.digit(in[i + k], 16);
                        if (digit < 0) throw malformedAt(escape, "invalid \\u escape");
                        code = code * 16 + digit;
                    }
                    out.append((char) code);
                    i += 4;
                }
                default -> throw malformedAt(escape, "invalid escape \\" + c);
            }
            run = i + 1;
        }
        return out.append(utf8(run, end)).toString();
    }

    private String utf8(int from, int to) {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(in, from, to - from)).toString();
        } catch (CharacterCodingException e) {
            throw malformedAt(from, "invalid UTF-8 in a string");
        }
    }

    private Object literal(String word, Object value) {
        for (int i = 0; i < word.length(); i++) {
            if (pos + i >= in.length || in[pos + i] != word.charAt(i)) throw malformed("unrecognized token (expected " + word + ")");
        }
        pos += word.length();
        return value;
    }

    /** A number as the grammar has it; integers as Integer, Long or BigInteger as the value needs, others as Double. */
    private Number number() {
        int start = pos;
        if (peek() == '-') pos++;
        if (peek() == '0') {
            pos++;
        } else if (!digits()) {
            throw malformedAt(start, "unexpected character '" + (char) (in[start] & 0xff) + "' (expected a value)");
        }
        boolean integer = true;
        if (peek() == '.') {
            pos++;
            if (!digits()) throw malformed("expected a digit after the decimal point");
            integer = false;
        }
        if (peek() == 'e' || peek() == 'E') {
            pos++;
            if (peek() == '+' || peek() == '-') pos++;
            if (!digits()) throw malformed("expected a digit in the exponent");
            integer = false;
        }
        String text = new String(in, start, pos - start, StandardCharsets.ISO_8859_1);
        if (!integer) return Double.parseDouble(text);
        if (text.length() <= 18) {
            long n = Long.parseLong(text);
            return n == (int) n ? (Number) (int) n : (Number) n;
        }
        BigInteger n = new BigInteger(text);
        return n.bitLength() <= 63 ? (Number) n.longValue() : n;
    }

    private boolean digits() {
        int start = pos;
        while (pos < in.length && in[pos] >= '0' && in[pos] <= '9') pos++;
        return pos > start;
    }

    private int peek() {
        return pos < in.length ? in[pos] : -1;
    }

    /** After a member: true past the closing {@code close}, false past a comma. */
    private boolean ends(char close) {
        skipSpace();
        if (peek() != close && peek() != ',') {
            throw malformed(pos == in.length ? "unexpected end of input" : "expected ',' or '" + close + "'");
        }
        return in[pos++] == close;
    }

    private void expect(char c) {
        if (peek() != c) throw pos == in.length ? malformed("unexpected end of input") : malformed("expected '" + c + "'");
        pos++;
    }

    private void skipSpace() {
        while (pos < in.length && (in[pos] == ' ' || in[pos] == '\n' || in[pos] == '\r' || in[pos] == '\t')) pos++;
    }

    private JsonException malformed(String problem) {
        return malformedAt(pos, problem);
    }

    /** "not valid JSON at line L, column C: problem", the column counted in bytes from 1. */
    private JsonException malformedAt(int at, String problem) {
        int line = 1, lineStart = 0;
        for (int i = 0; i < at && i < in.length; i++) {
            if (in[i] == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        return JsonException.inDocument(what, "not valid JSON at line " + line + ", column " + (at - lineStart + 1) + ": " + problem);
    }
}
