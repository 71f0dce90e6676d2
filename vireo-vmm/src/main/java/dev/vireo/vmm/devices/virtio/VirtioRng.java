package dev.vireo.vmm.devices.virtio;

import dev.vireo.vmm.memory.GuestMemory;

import java.security.SecureRandom;

/** virtio-rng (entropy device, section 5.4): fills each writable buffer from the host's SecureRandom. */
final class VirtioRng implements VirtioDevice {
    private final SecureRandom random = new SecureRandom();

    @Override
    public String name() {
        return "virtio-rng";
    }

    @Override
    public int deviceId() {
        return ID_RNG;
    }

    @Override
    public int handle(int queue, Chain chain, GuestMemory memory) {
        byte[] bytes = new byte[chain.writableBytes()];
        random.nextBytes(bytes);
        chain.write(memory, 0, bytes);
        return bytes.length;
    }
}
