package dev.vireo.vmm.vcpu;

import java.util.BitSet;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Guest accesses to ports and addresses no device claims: each address is logged the first
 * time only (the counters keep the totals). Shared by a VM's vCPUs; only the unclaimed path
 * comes here, so a lock is cheap enough.
 */
public final class UnclaimedAccesses {
    private final Consumer<String> log;
    private final BitSet ports = new BitSet(65536);
    private final Set<Long> addresses = new HashSet<>();

    public UnclaimedAccesses(Consumer<String> log) {
        this.log = log;
    }

    synchronized void port(int port, boolean write, int size) {
        if (ports.get(port)) return;
        ports.set(port);
        log.accept(String.format("guest %s unclaimed I/O port 0x%x (%d bytes); %s; further accesses are counted, not logged",
                write ? "wrote" : "read", port, size, write ? "ignored" : "returned all ones"));
    }

    synchronized void mmio(long address, boolean write, int size) {
        if (!addresses.add(address)) return;
        log.accept(String.format("guest %s unclaimed address 0x%x (%d bytes); %s; further accesses are counted, not logged",
                write ? "wrote" : "read", address, size, write ? "ignored" : "returned all ones"));
    }
}
