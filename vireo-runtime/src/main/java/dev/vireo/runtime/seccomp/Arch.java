package dev.vireo.runtime.seccomp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * The system call ABIs an x86-64 kernel runs: each has its AUDIT_ARCH value (what seccomp sees
 * in {@code seccomp_data.arch}) and its own table of call numbers, read from the kernel's headers
 * into resources. x32 shares AUDIT_ARCH_X86_64 and marks its calls with bit 30.
 */
enum Arch {
    X86_64("SCMP_ARCH_X86_64", 0xC000003E, 0, "syscalls-x86_64.txt"),
    X86("SCMP_ARCH_X86", 0x40000003, 0, "syscalls-i386.txt"),
    X32("SCMP_ARCH_X32", 0xC000003E, 0x40000000, "syscalls-x32.txt");

    static final int X32_SYSCALL_BIT = 0x40000000;

    final String scmpName;
    final int auditArch;
    final int numberBit;
    private final String resource;
    private volatile Map<String, Integer> table;

    Arch(String scmpName, int auditArch, int numberBit, String resource) {
        this.scmpName = scmpName;
        this.auditArch = auditArch;
        this.numberBit = numberBit;
        this.resource = resource;
    }

    /** The call's number as seccomp sees it on this ABI, or -1 when this ABI has no such call. */
    int number(String name) {
        Integer n = table().get(name);
        return n == null ? -1 : n | numberBit;
    }

    boolean is64Bit() {
        return this != X86;
    }

    Map<String, Integer> table() {
        Map<String, Integer> t = table;
        if (t == null) table = t = load(resource);
        return t;
    }

    static Arch byName(String scmpName) {
        for (Arch a : values()) if (a.scmpName.equals(scmpName)) return a;
        return null;
    }

    private static Map<String, Integer> load(String resource) {
        Map<String, Integer> table = new HashMap<>();
        try (InputStream in = Arch.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("missing resource " + resource);
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            for (String line; (line = reader.readLine()) != null; ) {
                if (line.isBlank() || line.startsWith("#")) continue;
                String[] parts = line.trim().split("\\s+");
                table.put(parts[0], Integer.parseInt(parts[1]));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Collections.unmodifiableMap(table);
    }
}
