package dev.vireo.vmm;

/** KVM cannot be used on this machine: no {@code /dev/kvm}, no permission, or an unusable API. */
public final class KvmUnavailableException extends VmConfigException {
    private static final long serialVersionUID = 1L;

    public KvmUnavailableException(String message) {
        super(message);
    }
}
