package dev.vireo.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the repository and its ./vireo launcher are, whether tests run from the module (Maven) or the root (kvm-tests). */
final class Project {
    static final Path ROOT = find();
    static final Path VIREO = ROOT.resolve("vireo");

    private Project() {}

    private static Path find() {
        for (Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("vireo")) && Files.isRegularFile(dir.resolve("mvnw"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no ./vireo launcher above " + System.getProperty("user.dir"));
    }
}
