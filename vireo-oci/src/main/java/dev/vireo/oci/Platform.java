package dev.vireo.oci;

import dev.vireo.json.Json;

import java.util.List;

/** The platform an image in an index runs on ({@code image-index.md}). */
public record Platform(
        String architecture,
        String os,
        String osVersion,
        List<String> osFeatures,
        String variant) implements Json.OmitEmpty {
    static final Json.Names JSON_NAMES = Json.Names.of("osVersion", "os.version", "osFeatures", "os.features");

    /** The platform this store runs images for. */
    public static Platform host() {
        String arch = switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64" -> "arm64";
            default -> System.getProperty("os.arch");
        };
        return new Platform(arch, "linux", null, null, null);
    }

    public boolean matches(Platform other) {
        return other != null && architecture.equals(other.architecture) && os.equals(other.os)
                && (variant == null || other.variant == null || variant.equals(other.variant));
    }

    @Override
    public String toString() {
        return os + "/" + architecture + (variant == null ? "" : "/" + variant);
    }
}
