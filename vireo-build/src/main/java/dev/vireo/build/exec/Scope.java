package dev.vireo.build.exec;

import dev.vireo.build.dockerfile.Instruction;
import dev.vireo.build.dockerfile.ShellLexer;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The variables an instruction sees, as the Dockerfile reference scopes them: the stage's
 * environment (ENV, also from the base image) wins over its ARGs; an ARG is visible from the
 * line that declares it, with the value given by {@code --build-arg}, else its default, else
 * (redeclared without a default) the value of the global ARG of that name.
 */
final class Scope {
    /** Proxy variables RUN gets from {@code --build-arg} without an ARG, kept out of the cache and history. */
    static final Set<String> PREDEFINED = Set.of("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY",
            "ftp_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy");

    private final BuildArgs buildArgs;
    private final Map<String, String> globals;
    private final Map<String, String> declared = new LinkedHashMap<>();
    private Map<String, String> env = Map.of();

    Scope(BuildArgs buildArgs, Map<String, String> globals) {
        this.buildArgs = buildArgs;
        this.globals = globals;
    }

    /** Values visible without an ARG instruction (the automatic platform ARGs of the global scope). */
    Scope predefine(Map<String, String> values) {
        declared.putAll(values);
        return this;
    }

    /** The declared names and values, for the global scope that FROM lines see. */
    Map<String, String> declared() {
        return new LinkedHashMap<>(declared);
    }

    /** A stage built FROM another stage inherits its ARGs. */
    Scope inherit(Scope parent) {
        declared.putAll(parent.declared);
        return this;
    }

    void environment(List<String> imageEnv) {
        env = ConfigEditor.envMap(imageEnv);
    }

    /** What {@code $name} means here: ENV first, then a declared ARG with a value. */
    String lookup(String name) {
        String value = env.get(name);
        return value != null ? value : declared.get(name);
    }

    /** Declares ARGs, evaluating their defaults with what is visible before this instruction. */
    void declare(Instruction.Arg arg, ShellLexer lexer) {
        for (Instruction.KeyValue kv : arg.args()) {
            String name = lexer.word(kv.key(), this::lookup);
            String value;
            if (buildArgs.has(name)) value = buildArgs.take(name);
            else if (kv.value() != null) value = lexer.word(kv.value(), this::lookup);
            else value = globals.get(name);
            declared.put(name, value);
        }
    }

    /** The declared ARGs with values, sorted: what a RUN's cache key and history carry. */
    Map<String, String> runArgs() {
        Map<String, String> args = new TreeMap<>();
        declared.forEach((k, v) -> {
            if (v != null) args.put(k, v);
        });
        return args;
    }

    /** The environment of a RUN: the declared ARGs (and given proxy variables) that no ENV overrides. */
    List<String> runEnvironment() {
        Map<String, String> extra = new LinkedHashMap<>();
        for (String name : PREDEFINED) if (buildArgs.has(name) && !declared.containsKey(name)) extra.put(name, buildArgs.peek(name));
        extra.putAll(runArgs());
        return extra.entrySet().stream().filter(e -> !env.containsKey(e.getKey())).map(e -> e.getKey() + "=" + e.getValue()).toList();
    }
}
