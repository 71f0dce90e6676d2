package dev.vireo.build.exec;

import dev.vireo.build.dockerfile.Command;
import dev.vireo.build.dockerfile.Instruction;
import dev.vireo.build.dockerfile.ShellLexer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The instructions that only change the image configuration: ENV, LABEL, USER, EXPOSE, VOLUME,
 * CMD, ENTRYPOINT, SHELL, STOPSIGNAL, HEALTHCHECK, ONBUILD, MAINTAINER. Each becomes a
 * {@link Step} whose key is the instruction with its variables substituted.
 */
final class Metadata {
    static final List<String> DEFAULT_SHELL = List.of("/bin/sh", "-c");
    private static final Pattern PORT = Pattern.compile("(\\d+)(?:-(\\d+))?(?:/(tcp|udp|sctp))?");
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h)");

    private Metadata() {}

    /** What the stage's state knows that the evaluation needs. */
    record Input(ShellLexer lexer, Function<String, String> vars, ConfigEditor config, boolean cmdSetInStage) {
        String word(String text) {
            return lexer.word(text, vars);
        }
    }

    static Step evaluate(Instruction instruction, Input in) {
        ConfigEditor c = in.config();
        return switch (instruction) {
            case Instruction.Env env -> {
                List<String> parts = new ArrayList<>();
                List<String[]> pairs = new ArrayList<>();
                // Every pair sees the environment from before the instruction.
                for (Instruction.KeyValue kv : env.pairs()) pairs.add(new String[] {in.word(kv.key()), in.word(kv.value())});
                for (String[] p : pairs) {
                    c.setEnv(p[0], p[1]);
                    parts.add(p[0] + "=" + p[1]);
                }
                yield Step.metadata("ENV " + String.join(" ", parts), c);
            }
            case Instruction.Label label -> {
                if (c.labels == null) c.labels = new LinkedHashMap<>();
                List<String> parts = new ArrayList<>();
                for (Instruction.KeyValue kv : label.labels()) {
                    String k = in.word(kv.key());
                    String v = in.word(kv.value());
                    c.labels.put(k, v);
                    parts.add(quote(k) + "=" + quote(v));
                }
                yield Step.metadata("LABEL " + String.join(" ", parts), c);
            }
            case Instruction.User user -> {
                c.user = in.word(user.user());
                yield Step.metadata("USER " + c.user, c);
            }
            case Instruction.Expose expose -> {
                if (c.exposedPorts == null) c.exposedPorts = new LinkedHashMap<>();
                List<String> ports = new ArrayList<>();
                for (String word : expose.ports()) {
                    for (String spec : in.lexer().words(word, in.vars())) {
                        for (String port : ports(expose, spec)) {
                            c.exposedPorts.put(port, Map.of());
                            ports.add(port);
                        }
                    }
                }
                yield Step.metadata("EXPOSE " + String.join(" ", ports), c);
            }
            case Instruction.Volume volume -> {
                if (c.volumes == null) c.volumes = new LinkedHashMap<>();
                List<String> paths = new ArrayList<>();
                for (String raw : volume.paths()) {
                    String path = in.word(raw);
                    if (path.isBlank()) throw volume.where().error("VOLUME", "VOLUME specified can not be an empty string");
                    c.volumes.put(path, Map.of());
                    paths.add(path);
                }
                yield Step.metadata("VOLUME " + json(paths), c);
            }
            case Instruction.Cmd cmd -> {
                c.cmd = argv(cmd.command(), c);
                c.argsEscaped = null;
                yield Step.metadata("CMD " + json(c.cmd), c);
            }
            case Instruction.Entrypoint entrypoint -> {
                c.entrypoint = argv(entrypoint.command(), c);
                // A CMD inherited from the base image makes no sense after a new ENTRYPOINT (Docker's rule).
                if (!in.cmdSetInStage()) c.cmd = null;
                yield Step.metadata("ENTRYPOINT " + json(c.entrypoint), c);
            }
            case Instruction.Shell shell -> {
                c.shell = shell.shell();
                yield Step.metadata("SHELL " + json(shell.shell()), c);
            }
            case Instruction.StopSignal stop -> {
                String signal = in.word(stop.signal());
                if (!signal.matches("(SIG)?[A-Z][A-Z0-9+-]*|\\d+")) {
                    throw stop.where().error("STOPSIGNAL", "invalid signal: " + signal);
                }
                c.stopSignal = signal;
                yield Step.metadata("STOPSIGNAL " + signal, c);
            }
            case Instruction.Healthcheck hc -> {
                c.healthcheck = healthcheck(hc, c, in);
                yield Step.metadata("HEALTHCHECK " + describe(c.healthcheck), c);
            }
            case Instruction.OnBuild onBuild -> {
                if (c.onBuild == null) c.onBuild = new ArrayList<>();
                String[] split = onBuild.trigger().strip().split("[ \\t]+", 2);
                String trigger = split[0].toUpperCase(Locale.ROOT) + (split.length > 1 ? " " + split[1] : "");
                c.onBuild.add(trigger);
                yield Step.metadata("ONBUILD " + trigger, c);
            }
            case Instruction.Maintainer m -> {
                String author = in.word(m.name());
                yield new Step("MAINTAINER " + author, "/bin/sh -c #(nop) MAINTAINER " + author, c, author, null);
            }
            default -> throw new IllegalArgumentException(instruction.keyword() + " is not a metadata instruction");
        };
    }

    /** What runs for a command: exec form as written, shell form under the stage's SHELL. */
    static List<String> argv(Command command, ConfigEditor c) {
        return command.argv(c.shell == null || c.shell.isEmpty() ? DEFAULT_SHELL : c.shell);
    }

    private static List<String> ports(Instruction.Expose expose, String spec) {
        Matcher m = PORT.matcher(spec.toLowerCase(Locale.ROOT));
        if (!m.matches()) throw expose.where().error("EXPOSE", "invalid port: " + spec + " (PORT[-END][/tcp|udp|sctp])");
        int first = Integer.parseInt(m.group(1));
        int last = m.group(2) == null ? first : Integer.parseInt(m.group(2));
        if (first > 65535 || last > 65535 || last < first) throw expose.where().error("EXPOSE", "invalid port range: " + spec);
        String proto = m.group(3) == null ? "tcp" : m.group(3);
        List<String> ports = new ArrayList<>();
        for (int p = first; p <= last; p++) ports.add(p + "/" + proto);
        return ports;
    }

    private static Map<String, Object> healthcheck(Instruction.Healthcheck hc, ConfigEditor c, Input in) {
        Map<String, Object> h = new LinkedHashMap<>();
        if (hc.test() == null) {
            h.put("Test", List.of("NONE"));
            return h;
        }
        List<String> test = new ArrayList<>();
        switch (hc.test()) {
            case Command.Shell s -> {
                test.add("CMD-SHELL");
                test.add(s.script());
            }
            case Command.Exec e -> {
                test.add("CMD");
                test.addAll(e.args());
            }
        }
        h.put("Test", test);
        putDuration(h, "Interval", hc.interval(), hc, in);
        putDuration(h, "Timeout", hc.timeout(), hc, in);
        putDuration(h, "StartPeriod", hc.startPeriod(), hc, in);
        putDuration(h, "StartInterval", hc.startInterval(), hc, in);
        if (hc.retries() != null) {
            String r = in.word(hc.retries());
            try {
                int retries = Integer.parseInt(r);
                if (retries < 0) throw new NumberFormatException();
                if (retries > 0) h.put("Retries", retries);
            } catch (NumberFormatException e) {
                throw hc.where().error("HEALTHCHECK", "--retries must be a count, not " + r);
            }
        }
        return h;
    }

    private static void putDuration(Map<String, Object> h, String field, String raw, Instruction.Healthcheck hc, Input in) {
        if (raw == null) return;
        String text = in.word(raw);
        long nanos = duration(text);
        if (nanos < 0 || nanos > 0 && nanos < 1_000_000) {
            throw hc.where().error("HEALTHCHECK", field + " \"" + text + "\": a duration of at least 1ms (like 30s, 1m30s)");
        }
        if (nanos > 0) h.put(field, nanos);
    }

    /** A Go duration ({@code 1h2m3.5s}, {@code 500ms}) in nanoseconds; -1 when it is not one. */
    static long duration(String text) {
        if (text.equals("0")) return 0;
        Matcher m = DURATION.matcher(text);
        int at = 0;
        double nanos = 0;
        while (at < text.length()) {
            if (!m.find(at) || m.start() != at) return -1;
            double value = Double.parseDouble(m.group(1));
            nanos += value * switch (m.group(2)) {
                case "ns" -> 1;
                case "us", "µs" -> 1e3;
                case "ms" -> 1e6;
                case "s" -> 1e9;
                case "m" -> 60e9;
                default -> 3600e9;
            };
            at = m.end();
        }
        return at == 0 ? -1 : (long) nanos;
    }

    private static String describe(Map<String, Object> h) {
        StringBuilder s = new StringBuilder();
        h.forEach((k, v) -> {
            if (!s.isEmpty()) s.append(' ');
            s.append(k).append('=').append(v instanceof List<?> l ? json(l.stream().map(String::valueOf).toList()) : v);
        });
        return s.toString();
    }

    static String json(List<String> values) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) s.append(',');
            s.append(quote(values.get(i)));
        }
        return s.append(']').toString();
    }

    /** A JSON string literal. */
    static String quote(String value) {
        StringBuilder s = new StringBuilder("\"");
        for (char ch : value.toCharArray()) {
            switch (ch) {
                case '"' -> s.append("\\\"");
                case '\\' -> s.append("\\\\");
                case '\n' -> s.append("\\n");
                case '\t' -> s.append("\\t");
                default -> {
                    if (ch < 0x20) s.append(String.format("\\u%04x", (int) ch));
                    else s.append(ch);
                }
            }
        }
        return s.append('"').toString();
    }
}
