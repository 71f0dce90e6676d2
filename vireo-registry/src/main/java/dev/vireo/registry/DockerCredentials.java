package dev.vireo.registry;

import dev.vireo.json.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;

/** Credentials that {@code docker login} stored: {@code auths.REGISTRY.auth} (base64 user:password) in the Docker config file. */
public final class DockerCredentials {
    private DockerCredentials() {}

    /** {@code user:password} for a registry from {@code $DOCKER_CONFIG/config.json} or {@code ~/.docker/config.json}. */
    public static Optional<String[]> lookup(String registry) {
        String dir = System.getenv("DOCKER_CONFIG");
        Path file = dir != null ? Path.of(dir, "config.json") : Path.of(System.getProperty("user.home"), ".docker", "config.json");
        if (!Files.isRegularFile(file)) return Optional.empty();
        try {
            Object config = Json.parse(Files.readAllBytes(file), file.toString());
            for (String key : new String[] {registry, "https://" + registry, "http://" + registry}) {
                if (!(Json.at(config, "auths", key, "auth") instanceof String auth)) continue;
                String decoded = new String(Base64.getDecoder().decode(auth), StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                if (colon > 0) return Optional.of(new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)});
            }
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }
}
