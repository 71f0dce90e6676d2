package dev.vireo.cli;

/** {@code --help} on a verb: not a failure; its message is the usage text, printed on stdout with status 0. */
final class HelpRequest extends RuntimeException {
    HelpRequest(String usage) {
        super(usage, null, false, false);
    }
}
