package dev.vireo.registry;

import java.util.regex.Pattern;

/** The distribution spec's grammar for repository names and tags. */
public final class Names {
    private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*");
    private static final Pattern REPOSITORY = Pattern.compile(COMPONENT.pattern() + "(?:/" + COMPONENT.pattern() + ")*");
    private static final Pattern TAG = Pattern.compile("[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}");
    /** Longest repository name accepted, as the reference registry does. */
    public static final int MAX_REPOSITORY = 255;

    private Names() {}

    public static boolean validRepository(String name) {
        return name.length() <= MAX_REPOSITORY && REPOSITORY.matcher(name).matches();
    }

    public static boolean validTag(String tag) {
        return TAG.matcher(tag).matches();
    }
}
