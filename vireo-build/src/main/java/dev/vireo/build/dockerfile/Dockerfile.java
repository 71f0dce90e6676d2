package dev.vireo.build.dockerfile;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A parsed Dockerfile: the escape character in force, the ARGs before the first FROM (whose
 * values FROM lines may use), the stages in order, and warnings worth showing.
 */
public record Dockerfile(String file, char escape, String syntax, List<Instruction.Arg> globalArgs, List<Stage> stages,
                         List<String> warnings) {
    public Dockerfile {
        globalArgs = List.copyOf(globalArgs);
        stages = List.copyOf(stages);
        warnings = List.copyOf(warnings);
    }

    /** The stage named {@code reference} (case-insensitive) or with that index, if one comes before {@code before}. */
    public Optional<Stage> stage(String reference, int before) {
        String name = reference.toLowerCase(Locale.ROOT);
        for (Stage s : stages) {
            if (s.index() >= before) break;
            if (name.equals(s.name()) || name.equals(Integer.toString(s.index()))) return Optional.of(s);
        }
        return Optional.empty();
    }

    public ShellLexer lexer() {
        return new ShellLexer(escape);
    }
}
