package dev.vireo.runtime.spec;

import dev.vireo.runtime.ConfigException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads a bundle's config.json; a problem becomes one line naming the field or the position. */
public final class ConfigLoader {
    private ConfigLoader() {}

    /** The config.json of {@code bundle}. */
    public static Spec load(Path bundle) {
        return parse(bytes(bundle));
    }

    /** The config.json of {@code bundle}, as it is on disk (the state directory keeps this copy). */
    public static byte[] bytes(Path bundle) {
        Path file = bundle.resolve("config.json");
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException("bundle " + bundle + " has no config.json");
        } catch (IOException e) {
            throw new ConfigException("cannot read " + file + ": " + e.getMessage());
        }
    }

    public static Spec parse(byte[] json) {
        return Json.read(json, Spec.class, "config.json");
    }
}
