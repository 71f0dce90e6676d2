package dev.vireo.vmm;

/**
 * The VM cannot be built from what the user gave: a kernel that is not an ELF64 x86-64
 * executable or does not fit, an impossible memory size, a command line that is too long.
 * The message says what is wrong in words a user can act on.
 */
public class VmConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public VmConfigException(String message) {
        super(message);
    }
}
