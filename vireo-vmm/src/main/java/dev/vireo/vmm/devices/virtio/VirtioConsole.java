package dev.vireo.vmm.devices.virtio;

import dev.vireo.vmm.memory.GuestMemory;

import java.util.function.Consumer;

/**
 * virtio-console (section 5.3) with one port and no multiport feature: queue 0 receives
 * (host to guest; no input is offered, so its buffers stay with the device), queue 1
 * transmits to the same console output the UART writes to.
 */
final class VirtioConsole implements VirtioDevice {
    static final int RECEIVE = 0, TRANSMIT = 1;

    private final Consumer<byte[]> output;

    VirtioConsole(Consumer<byte[]> output) {
        this.output = output;
    }

    @Override
    public String name() {
        return "virtio-console";
    }

    @Override
    public int deviceId() {
        return ID_CONSOLE;
    }

    @Override
    public int queueCount() {
        return 2;
    }

    @Override
    public boolean serves(int queue) {
        return queue == TRANSMIT;
    }

    /** struct virtio_console_config: cols, rows (u16), max_nr_ports, emerg_wr (u32); only meaningful with features Vireo does not offer. */
    @Override
    public byte[] config() {
        return new byte[12];
    }

    @Override
    public int handle(int queue, Chain chain, GuestMemory memory) {
        byte[] bytes = new byte[chain.readableBytes()];
        chain.read(memory, 0, bytes);
        output.accept(bytes);
        return 0;
    }
}
