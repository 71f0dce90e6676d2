package dev.vireo.build.dockerfile;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShellLexerTest {
    private final ShellLexer lexer = new ShellLexer('\\');
    private final Map<String, String> env = new HashMap<>(Map.of("FOO", "/bar", "EMPTY", "", "TWO", "a b", "X", "foobarbaz"));

    private String word(String text) {
        return lexer.word(text, env::get);
    }

    @Test
    void substitutesPlainAndBracedVariables() {
        assertEquals("/bar", word("$FOO"));
        assertEquals("/bar_x", word("${FOO}_x"));
        assertEquals("/bar/baz", word("$FOO/baz"));
        assertEquals("", word("$UNSET"));
        assertEquals("$", word("$"));
        assertEquals("a$", word("a$"));
        assertEquals("$ x", word("$ x"));
    }

    @Test
    void defaultAndAlternativeForms() {
        assertEquals("/bar", word("${FOO:-d}"));
        assertEquals("d", word("${UNSET:-d}"));
        assertEquals("d", word("${EMPTY:-d}"));
        assertEquals("", word("${EMPTY-d}"));
        assertEquals("d", word("${UNSET-d}"));
        assertEquals("x", word("${FOO:+x}"));
        assertEquals("", word("${EMPTY:+x}"));
        assertEquals("x", word("${EMPTY+x}"));
        assertEquals("", word("${UNSET:+x}"));
        assertEquals("/bar-1", word("${UNSET:-$FOO}-1"));
        assertEquals("nested /bar", word("${UNSET:-nested ${FOO}}"));
    }

    @Test
    void requiredFormFailsWithTheMessage() {
        ShellLexer.SyntaxError e = assertThrows(ShellLexer.SyntaxError.class, () -> word("${UNSET:?need it}"));
        assertEquals("UNSET: need it", e.getMessage());
        assertEquals("/bar", word("${FOO?x}"));
    }

    @Test
    void patternForms() {
        assertEquals("arbaz", word("${X#f*b}"));
        assertEquals("az", word("${X##f*b}"));
        assertEquals("foobar", word("${X%b*}"));
        assertEquals("foo", word("${X%%b*}"));
        assertEquals("fooforbaz", word("${X/ba/fo}"));
        assertEquals("fooforfoz", word("${X//ba/fo}"));
        assertEquals("foorbaz", word("${X/ba}"));
    }

    @Test
    void quotesAndEscapes() {
        assertEquals("$FOO", word("'$FOO'"));
        assertEquals("/bar x", word("\"$FOO x\""));
        assertEquals("$FOO", word("\\$FOO"));
        assertEquals("${FOO}", word("\\${FOO}"));
        assertEquals("say \"hi\"", word("\"say \\\"hi\\\"\""));
        assertEquals("a\\b", word("\"a\\b\""), "inside double quotes the escape only escapes \" $ and itself");
        assertEquals("ab", word("a\\b"));
        assertEquals("it's", word("\"it's\""));
        assertEquals("Rex The Dog", word("Rex\\ The\\ Dog"));
    }

    @Test
    void backtickEscape() {
        ShellLexer windows = new ShellLexer('`');
        assertEquals("c:\\dir", windows.word("c:\\dir", env::get));
        assertEquals("$FOO", windows.word("`$FOO", env::get));
    }

    @Test
    void unterminatedQuotesAndBracesAreErrors() {
        assertTrue(assertThrows(ShellLexer.SyntaxError.class, () -> word("'abc")).getMessage().contains("single-quote"));
        assertTrue(assertThrows(ShellLexer.SyntaxError.class, () -> word("\"abc")).getMessage().contains("double-quote"));
        assertTrue(assertThrows(ShellLexer.SyntaxError.class, () -> word("${FOO")).getMessage().contains("missing '}'"));
        assertThrows(ShellLexer.SyntaxError.class, () -> word("${FOO:x}"));
    }

    @Test
    void wordsSplitOnUnquotedWhitespaceIncludingExpandedValues() {
        assertEquals(List.of("80", "443/tcp"), lexer.words("80  443/tcp", env::get));
        assertEquals(List.of("a", "b", "c"), lexer.words("$TWO c", env::get));
        assertEquals(List.of("a b", "c"), lexer.words("\"$TWO\" c", env::get));
        assertEquals(List.of(""), lexer.words("''", env::get));
        assertEquals(List.of(), lexer.words("$UNSET", env::get));
    }
}
