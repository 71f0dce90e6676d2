package dev.vireo.runtime;

import java.io.Serial;

/**
 * A bundle or its config.json is unusable: the message names the field ({@code process.cwd},
 * {@code linux.namespaces[2].type}) and what is wrong with it, on one line. Nothing has been
 * created when this is thrown.
 */
public final class ConfigException extends IllegalArgumentException {
    @Serial
    private static final long serialVersionUID = 1L;

    public ConfigException(String field, String problem) {
        super(field + ": " + problem);
    }

    public ConfigException(String message) {
        super(message);
    }
}
