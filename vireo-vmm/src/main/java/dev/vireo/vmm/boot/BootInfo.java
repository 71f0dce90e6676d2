package dev.vireo.vmm.boot;

import dev.vireo.vmm.VmConfigException;
import dev.vireo.vmm.memory.GuestMemory;
import dev.vireo.vmm.memory.MemoryRegion;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The boot-info structure (docs/BOOT-INFO.md, {@code guest/include/bootinfo.h}): magic, version,
 * command line, memory map, TSC frequency and (version 2) the virtio-mmio devices, at
 * {@link BootLayout#BOOT_INFO}. Map entries have the layout of PVH's {@code hvm_memmap_table_entry}
 * and e820's types.
 */
public final class BootInfo {
    public static final int MAGIC = 0x4252_4956; // "VIRB"
    public static final int VERSION = 2;
    public static final int SIZE = 64;
    public static final int RAM = 1, RESERVED = 2;

    /** One memory-map entry. */
    public record MapEntry(long address, long size, int type) {}

    /** A virtio-mmio device window and the GSI (IOAPIC pin) it interrupts on, as Linux's {@code virtio_mmio.device=} says it. */
    public record VirtioMmio(long address, long size, int gsi) {}

    private BootInfo() {}

    /** The map the guest is told: low RAM below the VGA hole, then RAM from 1 MiB in each region. */
    public static List<MapEntry> memoryMap(GuestMemory memory) {
        List<MapEntry> map = new ArrayList<>();
        for (MemoryRegion r : memory.regions()) {
            if (r.guestAddress() == 0) {
                map.add(new MapEntry(0, Math.min(r.size(), BootLayout.LOW_RAM_END), RAM));
                if (r.size() > BootLayout.KERNEL_MIN) {
                    map.add(new MapEntry(BootLayout.LOW_RAM_END, BootLayout.KERNEL_MIN - BootLayout.LOW_RAM_END, RESERVED));
                    map.add(new MapEntry(BootLayout.KERNEL_MIN, r.size() - BootLayout.KERNEL_MIN, RAM));
                }
            } else {
                map.add(new MapEntry(r.guestAddress(), r.size(), RAM));
            }
        }
        return map;
    }

    /** Writes the command line, the memory map and the structure; returns its address for RDI. */
    public static long write(GuestMemory memory, String cmdline, long tscKhz, int vcpus, List<VirtioMmio> virtio) {
        byte[] line = cmdline.getBytes(StandardCharsets.UTF_8);
        if (line.length > BootLayout.CMDLINE_MAX) {
            throw new VmConfigException("the command line is " + line.length + " bytes; at most "
                    + BootLayout.CMDLINE_MAX + " fit");
        }
        if (cmdline.indexOf('\0') >= 0) throw new VmConfigException("the command line contains a NUL character");
        byte[] terminated = new byte[line.length + 1];
        System.arraycopy(line, 0, terminated, 0, line.length);
        memory.write(BootLayout.CMDLINE, terminated);

        List<MapEntry> map = memoryMap(memory);
        ByteBuffer entries = ByteBuffer.allocate(map.size() * 24).order(ByteOrder.LITTLE_ENDIAN);
        for (MapEntry e : map) entries.putLong(e.address()).putLong(e.size()).putInt(e.type()).putInt(0);
        memory.write(BootLayout.MEMMAP, entries.array());

        if (virtio.size() > BootLayout.VIRTIO_MAX_ENTRIES) throw new IllegalArgumentException("too many virtio devices");
        ByteBuffer devices = ByteBuffer.allocate(virtio.size() * 16).order(ByteOrder.LITTLE_ENDIAN);
        for (VirtioMmio d : virtio) devices.putLong(d.address()).putInt((int) d.size()).putInt(d.gsi());
        memory.write(BootLayout.VIRTIO_TABLE, devices.array());

        ByteBuffer info = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        info.putInt(MAGIC).putInt(VERSION).putLong(BootLayout.CMDLINE).putInt(line.length).putInt(map.size())
                .putLong(BootLayout.MEMMAP).putLong(tscKhz).putInt(vcpus).putInt(0)
                .putInt(virtio.size()).putInt(0).putLong(BootLayout.VIRTIO_TABLE);
        memory.write(BootLayout.BOOT_INFO, info.array());
        return BootLayout.BOOT_INFO;
    }
}
