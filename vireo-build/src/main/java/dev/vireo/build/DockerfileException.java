package dev.vireo.build;

/**
 * A Dockerfile that cannot be built as written: the message names the file, the line and the
 * instruction ({@code Dockerfile:7: COPY: no source files were specified}). Bad input, so the
 * CLI exits 2.
 */
public final class DockerfileException extends IllegalArgumentException {
    private final String file;
    private final int line;

    public DockerfileException(String file, int line, String instruction, String message) {
        super(file + ":" + line + ": " + (instruction == null ? "" : instruction + ": ") + message);
        this.file = file;
        this.line = line;
    }

    public String file() {
        return file;
    }

    public int line() {
        return line;
    }
}
