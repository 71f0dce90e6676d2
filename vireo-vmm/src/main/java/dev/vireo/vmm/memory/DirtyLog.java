package dev.vireo.vmm.memory;

import dev.vireo.vmm.kvm.KvmApi;
import dev.vireo.vmm.kvm.Vm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.BitSet;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * KVM's dirty-page log over every slot of a guest's memory: started by setting
 * {@code KVM_MEM_LOG_DIRTY_PAGES} on the slots, read with {@code KVM_GET_DIRTY_LOG}. Where
 * the host has {@code KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2}, reading the log no longer clears
 * it; {@code KVM_CLEAR_DIRTY_LOG} then re-protects exactly the pages found dirty, which spares
 * KVM write-protecting every page of the slot on every read. Pages are named by their index in
 * the guest's RAM ({@link GuestMemory#page}), so gaps between slots do not matter.
 */
public final class DirtyLog implements AutoCloseable {
    private final Vm vm;
    private final GuestMemory memory;
    private final boolean manualProtect;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment[] bitmaps;
    private boolean closed;

    private DirtyLog(Vm vm, GuestMemory memory, boolean manualProtect) {
        this.vm = vm;
        this.memory = memory;
        this.manualProtect = manualProtect;
        this.bitmaps = memory.regions().stream()
                .map(r -> arena.allocate(Math.ceilDiv(r.size() / GuestMemory.PAGE_SIZE, 64) * 8, 8))
                .toArray(MemorySegment[]::new);
    }

    /** Starts logging on every slot: from here, every page the guest writes is reported once by {@link #collect}. */
    public static DirtyLog start(Vm vm, GuestMemory memory) {
        boolean manual = vm.checkExtension(KvmApi.CAP_MANUAL_DIRTY_LOG_PROTECT2) > 0;
        if (manual) vm.enableCapability(KvmApi.CAP_MANUAL_DIRTY_LOG_PROTECT2, KvmApi.DIRTY_LOG_MANUAL_PROTECT_ENABLE);
        DirtyLog log = new DirtyLog(vm, memory, manual);
        for (MemoryRegion r : memory.regions()) {
            vm.setUserMemoryRegion(r.slot(), r.flags() | KvmApi.MEM_LOG_DIRTY_PAGES, r.guestAddress(), r.size(), r.host());
        }
        return log;
    }

    /** Whether KVM_CLEAR_DIRTY_LOG is in use. */
    public boolean manualProtect() {
        return manualProtect;
    }

    /**
     * Adds to {@code dirty} every page written since the previous call (or since {@link #start})
     * and resets the log for those pages, so a write after this call shows up in the next one.
     */
    public void collect(BitSet dirty) {
        long base = 0;
        for (int i = 0; i < bitmaps.length; i++) {
            MemoryRegion r = memory.regions().get(i);
            MemorySegment bitmap = bitmaps[i];
            long pages = r.size() / GuestMemory.PAGE_SIZE;
            vm.dirtyLog(r.slot(), bitmap);
            if (manualProtect) vm.clearDirtyLog(r.slot(), 0, (int) pages, bitmap);
            for (long w = 0; w < bitmap.byteSize() / 8; w++) {
                long word = bitmap.getAtIndex(JAVA_LONG, w);
                while (word != 0) {
                    int bit = Long.numberOfTrailingZeros(word);
                    dirty.set(Math.toIntExact(base + w * 64 + bit));
                    word &= word - 1;
                }
            }
            base += pages;
        }
    }

    /** Stops logging: the slots get their own flags back. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        for (MemoryRegion r : memory.regions()) {
            vm.setUserMemoryRegion(r.slot(), r.flags(), r.guestAddress(), r.size(), r.host());
        }
        arena.close();
    }
}
