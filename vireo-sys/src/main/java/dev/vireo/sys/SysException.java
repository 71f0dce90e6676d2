package dev.vireo.sys;

/**
 * A Linux call failed: names the call (with its decoded arguments where they help, such as
 * {@code ioctl(KVM_CREATE_VM)}) and the errno it set.
 */
public final class SysException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String call;
    private final int errno;

    public SysException(String call, int errno) {
        super(call + ": " + Errno.name(errno) + " (" + Errno.describe(errno) + ")");
        this.call = call;
        this.errno = errno;
    }

    /** The call that failed, as named in the message. */
    public String call() {
        return call;
    }

    public int errno() {
        return errno;
    }

    /** True when the call failed with the given errno, for the callers that handle one. */
    public boolean is(int expected) {
        return errno == expected;
    }
}
