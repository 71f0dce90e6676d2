package dev.vireo.cli;

import java.util.List;

/** {@code vireo version}: the build's version and the Java runtime it runs on. */
final class VersionCommand implements Command {
    @Override
    public String summary() {
        return "print the version of vireo and of the Java runtime";
    }

    @Override
    public int run(List<String> args) {
        String version = Main.class.getPackage().getImplementationVersion();
        System.out.println("vireo " + (version == null ? "dev" : version) + " (java " + Runtime.version() + ")");
        return 0;
    }
}
