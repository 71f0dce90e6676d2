package dev.vireo.vmm.memory;

import java.lang.foreign.MemorySegment;

/**
 * One contiguous range of guest-physical memory and the host memory behind it; it becomes one
 * KVM memory slot. {@code flags} are the slot's KVM_MEM_* flags, such as dirty-page logging.
 */
public record MemoryRegion(int slot, long guestAddress, MemorySegment host, int flags) {
    public long size() {
        return host.byteSize();
    }

    public long end() {
        return guestAddress + host.byteSize();
    }

    public boolean contains(long address, long length) {
        return address >= guestAddress && length >= 0 && address - guestAddress <= size() - length;
    }
}
