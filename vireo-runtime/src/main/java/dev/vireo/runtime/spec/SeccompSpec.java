package dev.vireo.runtime.spec;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.math.BigInteger;
import java.util.List;

/** {@code linux.seccomp}: a syscall filter in libseccomp's terms, which Vireo compiles to BPF itself. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SeccompSpec(String defaultAction, Integer defaultErrnoRet, List<String> architectures,
                          List<String> flags, String listenerPath, String listenerMetadata, List<Syscall> syscalls) {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Syscall(List<String> names, String action, Integer errnoRet, List<Arg> args) {}

    /** One argument comparison; values are unsigned 64-bit. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Arg(Integer index, BigInteger value, BigInteger valueTwo, String op) {}
}
