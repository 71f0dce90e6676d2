package dev.vireo.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A command line parsed against the options a verb declares: {@code --name value},
 * {@code --name=value}, repeatable options, boolean flags, short aliases ({@code -t}), and
 * positional arguments. Everything after {@code --} is positional, untouched. An undeclared
 * option or a missing value is a {@link UsageException}; {@code --help} or {@code -h}, unless the
 * verb declares it, is a {@link HelpRequest} that lists the declared options.
 */
final class Args {
    private final Map<String, List<String>> values;
    private final Set<String> flags;
    private final List<String> positionals;

    private Args(Map<String, List<String>> values, Set<String> flags, List<String> positionals) {
        this.values = values;
        this.flags = flags;
        this.positionals = positionals;
    }

    static Spec spec(String command) {
        return new Spec(command);
    }

    /** The declared options of one verb. */
    static final class Spec {
        private final String command;
        private final Set<String> valueOptions = new HashSet<>();
        private final Set<String> flagOptions = new HashSet<>();
        private final Map<String, String> aliases = new HashMap<>();
        private final Map<String, List<String>> declared = new LinkedHashMap<>();
        private boolean stopAtFirstPositional;

        private Spec(String command) {
            this.command = command;
        }

        /** An option that takes a value; {@code names} are its long name and any aliases. */
        Spec option(String name, String... aliases) {
            valueOptions.add(name);
            return declare(name + " VALUE", name, aliases);
        }

        Spec flag(String name, String... aliases) {
            flagOptions.add(name);
            return declare(name, name, aliases);
        }

        private Spec declare(String shown, String name, String[] aliases) {
            for (String alias : aliases) this.aliases.put(alias, name);
            declared.put(shown, List.of(aliases));
            return this;
        }

        /**
         * Options end at the first positional argument, as {@code docker run IMAGE CMD --flag}
         * expects: the command's own flags belong to the command.
         */
        Spec stopAtFirstPositional() {
            stopAtFirstPositional = true;
            return this;
        }

        Args parse(List<String> argv) {
            Map<String, List<String>> values = new LinkedHashMap<>();
            Set<String> flags = new HashSet<>();
            List<String> positionals = new ArrayList<>();
            for (int i = 0; i < argv.size(); i++) {
                String arg = argv.get(i);
                if (arg.equals("--")) {
                    positionals.addAll(argv.subList(i + 1, argv.size()));
                    break;
                }
                if (!arg.startsWith("-") || arg.equals("-")) {
                    positionals.add(arg);
                    if (stopAtFirstPositional) {
                        positionals.addAll(argv.subList(i + 1, argv.size()));
                        break;
                    }
                    continue;
                }
                String name = arg;
                String inline = null;
                int eq = arg.indexOf('=');
                if (arg.startsWith("--") && eq > 0) {
                    name = arg.substring(0, eq);
                    inline = arg.substring(eq + 1);
                }
                name = aliases.getOrDefault(name, name);
                if ((name.equals("--help") || name.equals("-h")) && !flagOptions.contains(name)
                        && !flagOptions.contains("--help")) {
                    throw new HelpRequest(usage());
                }
                if (flagOptions.contains(name)) {
                    if (inline != null) throw new UsageException(command + ": " + name + " takes no value");
                    flags.add(name);
                } else if (valueOptions.contains(name)) {
                    String value = inline;
                    if (value == null) {
                        if (i + 1 >= argv.size()) throw new UsageException(command + ": " + name + " needs a value");
                        value = argv.get(++i);
                    }
                    values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
                } else {
                    throw new UsageException(command + ": unknown option " + arg);
                }
            }
            return new Args(values, flags, positionals);
        }

        private String usage() {
            StringBuilder text = new StringBuilder("usage: vireo ").append(command).append(" [OPTIONS] [ARGS...]\n");
            declared.forEach((option, aliases) -> text.append("  ").append(option)
                    .append(aliases.isEmpty() ? "" : " (" + String.join(", ", aliases) + ")").append('\n'));
            return text.toString();
        }
    }

    boolean flag(String name) {
        return flags.contains(name);
    }

    /** The last value given for the option, if any. */
    Optional<String> value(String name) {
        List<String> all = values.get(name);
        return all == null ? Optional.empty() : Optional.of(all.getLast());
    }

    /** Every value given for a repeatable option, in order. */
    List<String> values(String name) {
        return values.getOrDefault(name, List.of());
    }

    String required(String name) {
        return value(name).orElseThrow(() -> new UsageException("missing required option " + name));
    }

    List<String> positionals() {
        return positionals;
    }

    /** The positional argument at {@code index}, described as {@code what} when it is missing. */
    String positional(int index, String what) {
        if (index >= positionals.size()) throw new UsageException("missing " + what);
        return positionals.get(index);
    }
}
