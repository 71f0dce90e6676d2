package dev.vireo.build.exec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The {@code --build-arg} values of a build, remembering which ones an ARG consumed (Docker warns about the rest). */
final class BuildArgs {
    private final Map<String, String> values;
    private final Set<String> consumed = new TreeSet<>();

    BuildArgs(Map<String, String> values) {
        this.values = new LinkedHashMap<>(values);
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    String take(String name) {
        consumed.add(name);
        return values.get(name);
    }

    String peek(String name) {
        return values.get(name);
    }

    /** Given but never declared by an ARG (nor a predefined proxy variable). */
    List<String> unused() {
        Set<String> unused = new TreeSet<>(values.keySet());
        unused.removeAll(consumed);
        unused.removeAll(Scope.PREDEFINED);
        return List.copyOf(unused);
    }
}
