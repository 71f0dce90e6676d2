package dev.vireo.vmm.devices.virtio;

import dev.vireo.sys.EventFd;
import dev.vireo.vmm.devices.BusDevice;
import dev.vireo.vmm.devices.RateLimitedLog;
import dev.vireo.vmm.devices.Snapshottable;
import dev.vireo.vmm.kvm.Vm;
import dev.vireo.vmm.memory.GuestMemory;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A virtio device on the MMIO bus, wired to KVM: its transport claims a 4 KiB window at
 * {@code base}; for each queue an ioeventfd with the queue's index as datamatch catches the
 * driver's QueueNotify write inside KVM (no exit to the VMM) and wakes a platform thread that
 * processes the queue; the device interrupts through an irqfd on {@code gsi} of the in-kernel
 * IOAPIC. Closing it stops the threads and releases the eventfds and the backend. Its snapshot
 * state is the transport's (status, features, queue addresses and indices) and the device
 * type's (a disk's capacity).
 */
public final class VirtioMmioDevice implements Snapshottable, AutoCloseable {
    public static final long WINDOW = 0x1000;

    private final VirtioDevice device;
    private final MmioTransport transport;
    private final long base;
    private final int gsi;
    private final EventFd irq;
    private final List<EventFd> notifiers = new ArrayList<>();
    private final List<Thread> workers = new ArrayList<>();
    private volatile boolean closing;

    /** virtio-console whose port-0 output goes to {@code output}. */
    public static VirtioDevice console(Consumer<byte[]> output) {
        return new VirtioConsole(output);
    }

    /** virtio-blk over the raw image {@code file}, read-only when the VMM may not write it. */
    public static VirtioDevice block(Path file) {
        return VirtioBlock.open(file);
    }

    /** virtio-blk over {@code bytes} of zeros in a temporary file that goes with the VM. */
    public static VirtioDevice scratchBlock(long bytes) {
        return VirtioBlock.scratch(bytes);
    }

    public static VirtioDevice rng() {
        return new VirtioRng();
    }

    private VirtioMmioDevice(VirtioDevice device, MmioTransport transport, long base, int gsi, EventFd irq) {
        this.device = device;
        this.transport = transport;
        this.base = base;
        this.gsi = gsi;
        this.irq = irq;
    }

    /** Registers {@code device}'s eventfds with {@code vm} and starts its queue threads. */
    public static VirtioMmioDevice attach(VirtioDevice device, Vm vm, GuestMemory memory, long base, int gsi,
                                          RateLimitedLog errors) {
        EventFd irq = EventFd.create(0, 0);
        VirtioMmioDevice d = new VirtioMmioDevice(device, new MmioTransport(device, memory, () -> irq.signal(1), errors),
                base, gsi, irq);
        try {
            vm.irqfd(irq, gsi);
            for (int q = 0; q < device.queueCount(); q++) {
                EventFd notifier = EventFd.create(0, 0);
                d.notifiers.add(notifier);
                vm.ioeventfd(notifier, base + MmioTransport.QUEUE_NOTIFY, 4, (long) q);
            }
        } catch (RuntimeException e) {
            d.close();
            throw e;
        }
        for (int q = 0; q < d.notifiers.size(); q++) {
            int queue = q;
            d.workers.add(Thread.ofPlatform().daemon().name(device.name() + "-q" + q).start(() -> d.serve(queue)));
        }
        return d;
    }

    private void serve(int queue) {
        EventFd notifier = notifiers.get(queue);
        while (true) {
            notifier.await();
            if (closing) return;
            transport.notifyQueue(queue);
        }
    }

    @Override
    public String name() {
        return device.name();
    }

    @Override
    public void saveState(DataOutput out) throws IOException {
        transport.saveState(out);
        device.saveState(out);
    }

    @Override
    public void restoreState(DataInput in) throws IOException {
        transport.restoreState(in);
        device.restoreState(in);
    }

    public BusDevice busDevice() {
        return transport;
    }

    public long base() {
        return base;
    }

    public int gsi() {
        return gsi;
    }

    @Override
    public void close() {
        closing = true;
        for (EventFd n : notifiers) n.signal(1);
        for (Thread t : workers) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (EventFd n : notifiers) n.close();
        irq.close();
        device.close();
    }
}
