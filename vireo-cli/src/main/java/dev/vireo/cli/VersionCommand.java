package dev.vireo.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Properties;

/** {@code vireo version}: the build's version and the Java runtime it runs on. */
final class VersionCommand implements Command {
    @Override
    public String summary() {
        return "print the version of vireo and of the Java runtime";
    }

    @Override
    public int run(List<String> args) throws IOException {
        System.out.println("vireo " + version() + " (java " + Runtime.version() + ")");
        return 0;
    }

    /** The project version, written into a resource by the build. */
    static String version() throws IOException {
        Properties properties = new Properties();
        try (InputStream in = VersionCommand.class.getResourceAsStream("version.properties")) {
            properties.load(in);
        }
        return properties.getProperty("version");
    }
}
