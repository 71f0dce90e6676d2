package dev.vireo.sys;

import java.lang.foreign.MemorySegment;
import java.util.Locale;

/** Signals to processes: names and numbers (x86-64 numbering), kill(2) and pidfd_send_signal(2). */
public final class Signals {
    public static final int SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGKILL = 9, SIGUSR1 = 10, SIGUSR2 = 12,
            SIGPIPE = 13, SIGTERM = 15, SIGCHLD = 17, SIGCONT = 18, SIGSTOP = 19, SIGWINCH = 28, SIGSYS = 31;
    /** The kernel's real-time range; glibc reserves the first two, so SIGRTMIN is 34 for programs. */
    public static final int SIGRTMIN = 34, SIGRTMAX = 64;

    private static final String[] NAMES = {
            null, "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2",
            "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "XCPU",
            "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS"
    };
    private static final long SYS_PIDFD_SEND_SIGNAL = 424;

    private static final Downcall KILL = Downcall.of("kill");
    private static final Downcall PIDFD_SEND_SIGNAL = Downcall.of("syscall");

    private Signals() {}

    /**
     * The number of a signal given as a number ({@code 9}), a name with or without its prefix
     * ({@code SIGKILL}, {@code kill}), or a real-time offset ({@code RTMIN+3}, {@code SIGRTMAX-1}).
     */
    public static int parse(String text) {
        String s = text.trim().toUpperCase(Locale.ROOT);
        if (!s.isEmpty() && s.chars().allMatch(Character::isDigit)) {
            int n = Integer.parseInt(s);
            if (n >= 1 && n <= SIGRTMAX) return n;
            throw new IllegalArgumentException("unknown signal " + text + ": signals are numbered 1 to " + SIGRTMAX);
        }
        if (s.startsWith("SIG")) s = s.substring(3);
        if (s.equals("IOT")) return 6;
        if (s.equals("POLL")) return 29;
        for (int i = 1; i < NAMES.length; i++) if (NAMES[i].equals(s)) return i;
        int realtime = realtime(s);
        if (realtime > 0) return realtime;
        throw new IllegalArgumentException("unknown signal " + text);
    }

    private static int realtime(String s) {
        for (String base : new String[] {"RTMIN", "RTMAX"}) {
            if (!s.startsWith(base)) continue;
            String rest = s.substring(base.length());
            int offset;
            try {
                offset = rest.isEmpty() ? 0 : Integer.parseInt(rest);
            } catch (NumberFormatException e) {
                return -1;
            }
            int n = (base.equals("RTMIN") ? SIGRTMIN : SIGRTMAX) + offset;
            return n >= SIGRTMIN && n <= SIGRTMAX ? n : -1;
        }
        return -1;
    }

    /** The signal's name with its prefix, such as {@code SIGTERM} or {@code SIGRTMIN+2}. */
    public static String name(int signal) {
        if (signal > 0 && signal < NAMES.length) return "SIG" + NAMES[signal];
        if (signal >= SIGRTMIN && signal <= SIGRTMAX) return signal == SIGRTMIN ? "SIGRTMIN" : "SIGRTMIN+" + (signal - SIGRTMIN);
        return "signal " + signal;
    }

    /** kill(2). */
    public static void kill(int pid, int signal) {
        MemorySegment state = Native.errnoState();
        int r = (int) KILL.call(pid, signal);
        if (r < 0) throw Native.failure("kill(" + pid + ", " + name(signal) + ")", state);
    }

    /** pidfd_send_signal(2): signals exactly the process the pidfd names, never a successor with its number. */
    public static void send(Fd pidfd, int signal) {
        MemorySegment state = Native.errnoState();
        long r = PIDFD_SEND_SIGNAL.call(SYS_PIDFD_SEND_SIGNAL, pidfd.value(), signal,
                0, 0);
        if (r < 0) throw Native.failure("pidfd_send_signal(" + name(signal) + ")", state);
    }
}
