package dev.vireo.containers;

import java.nio.file.Path;
import java.util.List;

/** {@code -v HOST:CTR[:ro]}: a host directory or file bound into the container. */
public record BindMount(Path source, String destination, boolean readOnly) {

    public BindMount {
        if (!source.isAbsolute()) throw new BadInputException("bind mount source " + source + " is not an absolute path");
        checkDestination(destination);
    }

    /**
     * Parses {@code HOST:CTR[:OPTIONS]} with OPTIONS {@code ro} or {@code rw}. HOST must be an
     * absolute path: this engine has no named volumes, so {@code name:/data} is refused
     * rather than taken for a volume.
     */
    public static BindMount parse(String spec) {
        String[] parts = spec.split(":", -1);
        if (parts.length < 2 || parts.length > 3) {
            throw new BadInputException("invalid volume '" + spec + "': expected HOST:CONTAINER[:ro|rw]");
        }
        if (!parts[0].startsWith("/")) {
            throw new BadInputException("invalid volume '" + spec + "': " + (parts[0].isEmpty() ? "the host path is empty"
                    : "'" + parts[0] + "' is not an absolute host path (named volumes are not supported)"));
        }
        boolean readOnly = false;
        if (parts.length == 3) {
            for (String option : parts[2].split(",", -1)) {
                switch (option) {
                    case "ro" -> readOnly = true;
                    case "rw" -> readOnly = false;
                    default -> throw new BadInputException("invalid volume '" + spec + "': unknown option '" + option
                            + "' (ro or rw)");
                }
            }
        }
        try {
            return new BindMount(Path.of(parts[0]).normalize(), parts[1], readOnly);
        } catch (BadInputException e) {
            throw new BadInputException("invalid volume '" + spec + "': " + e.getMessage());
        }
    }

    /** The runtime-spec options: a recursive private bind, read-only when asked (Docker's and podman's). */
    public List<String> options() {
        return readOnly ? List.of("rbind", "rprivate", "ro") : List.of("rbind", "rprivate");
    }

    static void checkDestination(String destination) {
        if (destination == null || !destination.startsWith("/")) {
            throw new BadInputException("container path '" + destination + "' is not absolute");
        }
        if (Path.of(destination).normalize().toString().equals("/")) {
            throw new BadInputException("container path '/' cannot be a mount point");
        }
    }
}
