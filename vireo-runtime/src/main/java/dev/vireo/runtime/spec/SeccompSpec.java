package dev.vireo.runtime.spec;


import java.math.BigInteger;
import java.util.List;

/** {@code linux.seccomp}: a syscall filter in libseccomp's terms, which Vireo compiles to BPF itself. */
public record SeccompSpec(String defaultAction, Integer defaultErrnoRet, List<String> architectures,
                          List<String> flags, String listenerPath, String listenerMetadata, List<Syscall> syscalls) {

    public record Syscall(List<String> names, String action, Integer errnoRet, List<Arg> args) {}

    /** One argument comparison; values are unsigned 64-bit. */
    public record Arg(Integer index, BigInteger value, BigInteger valueTwo, String op) {}
}
