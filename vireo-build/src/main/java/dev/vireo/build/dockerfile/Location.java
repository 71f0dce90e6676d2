package dev.vireo.build.dockerfile;

import dev.vireo.build.DockerfileException;

/** Where an instruction was written: the Dockerfile's name as the user gave it, and its first line. */
public record Location(String file, int line) {
    /** An error about the instruction {@code keyword} written here. */
    public DockerfileException error(String keyword, String message) {
        return new DockerfileException(file, line, keyword, message);
    }
}
