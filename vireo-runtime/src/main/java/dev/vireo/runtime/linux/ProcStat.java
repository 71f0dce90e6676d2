package dev.vireo.runtime.linux;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A process as /proc/PID/stat shows it: its state letter and its start time in clock ticks
 * since boot, which together with the PID name one process and never a later one.
 */
public record ProcStat(int pid, char state, long startTime) {

    /** The process, or null when there is none with this PID. */
    public static ProcStat read(int pid) {
        String text;
        try {
            text = ProcFiles.read(Path.of("/proc/" + pid + "/stat"));
        } catch (IOException e) {
            return null;
        }
        // The command name may hold spaces and parentheses: fields start after the last ')'.
        String[] fields = text.substring(text.lastIndexOf(')') + 2).split(" ");
        return new ProcStat(pid, fields[0].charAt(0), Long.parseLong(fields[19]));
    }

    /** Alive and not yet a zombie. */
    public boolean running() {
        return state != 'Z' && state != 'X';
    }
}
