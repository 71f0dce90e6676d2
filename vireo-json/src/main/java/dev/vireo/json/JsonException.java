package dev.vireo.json;

import java.io.Serial;

/**
 * A document is not the JSON its reader expects. {@link #document()} names the document when
 * the whole of it is wrong (not JSON, not an object); {@link #field()} is the path of the value
 * that is wrong ({@code process.rlimits[1].hard}), else null. The message is the one of the two
 * that is set, a colon and the {@link #problem()}.
 */
public final class JsonException extends IllegalArgumentException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final String document;
    private final String field;
    private final String problem;

    JsonException(String document, String field, String problem) {
        super((field != null ? field : document) + ": " + problem);
        this.document = document;
        this.field = field;
        this.problem = problem;
    }

    static JsonException inDocument(String document, String problem) {
        return new JsonException(document, null, problem);
    }

    static JsonException atField(String path, String problem) {
        return new JsonException(null, path.isEmpty() ? "the document" : path, problem);
    }

    /** What the caller named the document, when the whole document is wrong; else null. */
    public String document() {
        return document;
    }

    /** The path of the wrong value, or null when the whole document is wrong. */
    public String field() {
        return field;
    }

    public String problem() {
        return problem;
    }
}
