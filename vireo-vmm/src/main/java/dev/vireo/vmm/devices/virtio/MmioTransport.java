package dev.vireo.vmm.devices.virtio;

import dev.vireo.vmm.devices.BusDevice;
import dev.vireo.vmm.devices.RateLimitedLog;
import dev.vireo.vmm.memory.GuestMemory;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * The virtio-mmio transport, version 2 (virtio 1.x section 4.2.2): the register window a driver
 * probes, negotiates features and sets queues up through, and the device status state machine.
 * Registers are 32-bit; configuration space from 0x100 takes any width. Queue processing and
 * register accesses come from different threads (ioeventfd workers, vCPUs): one lock serialises
 * them. A ring the device cannot follow sets DEVICE_NEEDS_RESET (section 2.1.2), raises a
 * configuration-change interrupt and stops the device until the driver resets it.
 */
final class MmioTransport implements BusDevice {
    static final int MAGIC_VALUE = 0x000, VERSION = 0x004, DEVICE_ID = 0x008, VENDOR_ID = 0x00c,
            DEVICE_FEATURES = 0x010, DEVICE_FEATURES_SEL = 0x014, DRIVER_FEATURES = 0x020,
            DRIVER_FEATURES_SEL = 0x024, QUEUE_SEL = 0x030, QUEUE_NUM_MAX = 0x034, QUEUE_NUM = 0x038,
            QUEUE_READY = 0x044, QUEUE_NOTIFY = 0x050, INTERRUPT_STATUS = 0x060, INTERRUPT_ACK = 0x064,
            STATUS = 0x070, QUEUE_DESC_LOW = 0x080, QUEUE_DESC_HIGH = 0x084, QUEUE_DRIVER_LOW = 0x090,
            QUEUE_DRIVER_HIGH = 0x094, QUEUE_DEVICE_LOW = 0x0a0, QUEUE_DEVICE_HIGH = 0x0a4,
            CONFIG_GENERATION = 0x0fc, CONFIG = 0x100;
    static final int MAGIC = 0x7472_6976; // "virt"
    static final int VENDOR = 0x4f45_5256; // "VREO"
    static final int STATUS_ACKNOWLEDGE = 1, STATUS_DRIVER = 2, STATUS_DRIVER_OK = 4, STATUS_FEATURES_OK = 8,
            STATUS_DEVICE_NEEDS_RESET = 64, STATUS_FAILED = 128;
    static final int INTERRUPT_VRING = 1, INTERRUPT_CONFIG = 2;
    static final long F_INDIRECT_DESC = 1L << 28, F_VERSION_1 = 1L << 32;
    static final int QUEUE_MAX = 256;

    private final VirtioDevice device;
    private final GuestMemory memory;
    private final Runnable interrupt;
    private final RateLimitedLog errors;
    private final Virtqueue[] queues;
    private final long deviceFeatures;
    private long driverFeatures;
    private int deviceFeaturesSel, driverFeaturesSel, queueSel, status, interruptStatus;

    MmioTransport(VirtioDevice device, GuestMemory memory, Runnable interrupt, RateLimitedLog errors) {
        this.device = device;
        this.memory = memory;
        this.interrupt = interrupt;
        this.errors = errors;
        this.deviceFeatures = device.features() | F_VERSION_1 | F_INDIRECT_DESC;
        this.queues = new Virtqueue[device.queueCount()];
        for (int i = 0; i < queues.length; i++) queues[i] = new Virtqueue(QUEUE_MAX);
    }

    @Override
    public String name() {
        return device.name();
    }

    @Override
    public synchronized long read(long offset, int size) {
        if (offset >= CONFIG) return config(offset - CONFIG, size);
        if (size != 4) return 0;
        Virtqueue q = selected();
        return switch ((int) offset) {
            case MAGIC_VALUE -> MAGIC;
            case VERSION -> 2;
            case DEVICE_ID -> device.deviceId();
            case VENDOR_ID -> VENDOR;
            case DEVICE_FEATURES -> deviceFeaturesSel < 2 ? (deviceFeatures >>> (32 * deviceFeaturesSel)) & 0xffff_ffffL : 0;
            case QUEUE_NUM_MAX -> q != null ? q.maxSize : 0;
            case QUEUE_READY -> q != null && q.ready ? 1 : 0;
            case INTERRUPT_STATUS -> interruptStatus;
            case STATUS -> status;
            case CONFIG_GENERATION -> 0; // the configuration never changes
            default -> 0;
        };
    }

    private long config(long offset, int size) {
        byte[] config = device.config();
        long value = 0;
        for (int i = size - 1; i >= 0; i--) {
            long at = offset + i;
            value = (value << 8) | (at < config.length ? config[(int) at] & 0xff : 0);
        }
        return value;
    }

    @Override
    public synchronized void write(long offset, int size, long value) {
        if (offset >= CONFIG || size != 4) return; // no writable configuration fields are offered
        int v = (int) value;
        Virtqueue q = selected();
        switch ((int) offset) {
            case DEVICE_FEATURES_SEL -> deviceFeaturesSel = v;
            case DRIVER_FEATURES -> {
                if (driverFeaturesSel < 2 && (status & STATUS_FEATURES_OK) == 0) {
                    int shift = 32 * driverFeaturesSel;
                    driverFeatures = (driverFeatures & ~(0xffff_ffffL << shift)) | ((value & 0xffff_ffffL) << shift);
                }
            }
            case DRIVER_FEATURES_SEL -> driverFeaturesSel = v;
            case QUEUE_SEL -> queueSel = v;
            case QUEUE_NUM -> { if (configurable(q)) q.size = v; }
            case QUEUE_READY -> { if (q != null) setReady(q, v == 1); }
            case QUEUE_NOTIFY -> notifyQueue(v); // only when no ioeventfd took the write inside KVM
            case INTERRUPT_ACK -> interruptStatus &= ~v;
            case STATUS -> setStatus(v);
            case QUEUE_DESC_LOW -> { if (configurable(q)) q.descAddress = low(q.descAddress, v); }
            case QUEUE_DESC_HIGH -> { if (configurable(q)) q.descAddress = high(q.descAddress, v); }
            case QUEUE_DRIVER_LOW -> { if (configurable(q)) q.driverAddress = low(q.driverAddress, v); }
            case QUEUE_DRIVER_HIGH -> { if (configurable(q)) q.driverAddress = high(q.driverAddress, v); }
            case QUEUE_DEVICE_LOW -> { if (configurable(q)) q.deviceAddress = low(q.deviceAddress, v); }
            case QUEUE_DEVICE_HIGH -> { if (configurable(q)) q.deviceAddress = high(q.deviceAddress, v); }
            default -> { }
        }
    }

    private Virtqueue selected() {
        return queueSel >= 0 && queueSel < queues.length ? queues[queueSel] : null;
    }

    /** A queue's size and addresses change only while it is not live (section 4.2.2.2). */
    private static boolean configurable(Virtqueue q) {
        return q != null && !q.ready;
    }

    private static long low(long address, int v) {
        return (address & 0xffff_ffff_0000_0000L) | (v & 0xffff_ffffL);
    }

    private static long high(long address, int v) {
        return (address & 0xffff_ffffL) | ((long) v << 32);
    }

    private void setReady(Virtqueue q, boolean ready) {
        if (!ready) {
            q.ready = false;
            return;
        }
        String problem = q.checkLayout(memory);
        if (problem != null) {
            needsReset("queue " + queueSel + ": " + problem);
            return;
        }
        q.ready = true;
    }

    private void setStatus(int value) {
        if (value == 0) {
            reset();
            return;
        }
        int next = value & ~STATUS_DEVICE_NEEDS_RESET | (status & STATUS_DEVICE_NEEDS_RESET);
        if ((next & STATUS_FEATURES_OK) != 0 && (status & STATUS_FEATURES_OK) == 0 && !acceptable(driverFeatures)) {
            next &= ~STATUS_FEATURES_OK; // the driver reads the status back and sees the refusal
        }
        status = next;
    }

    /** Features a driver may accept: only offered ones, and VERSION_1, since this is a modern-only device. */
    private boolean acceptable(long features) {
        return (features & ~deviceFeatures) == 0 && (features & F_VERSION_1) != 0;
    }

    private void reset() {
        status = 0;
        driverFeatures = 0;
        deviceFeaturesSel = driverFeaturesSel = queueSel = 0;
        interruptStatus = 0;
        for (Virtqueue q : queues) q.reset();
    }

    /** Processes what the driver made available on {@code queue}; called per notification. */
    synchronized void notifyQueue(int queue) {
        if ((status & STATUS_DRIVER_OK) == 0 || (status & STATUS_DEVICE_NEEDS_RESET) != 0) return;
        if (queue < 0 || queue >= queues.length || !queues[queue].ready || !device.serves(queue)) return;
        Virtqueue q = queues[queue];
        boolean used = false;
        try {
            for (Chain chain = q.pop(memory); chain != null; chain = q.pop(memory)) {
                q.push(memory, chain.head(), device.handle(queue, chain, memory));
                used = true;
            }
        } catch (VirtqueueException e) {
            needsReset("queue " + queue + ": " + e.getMessage());
            return;
        }
        if (used && !q.interruptSuppressed(memory)) {
            interruptStatus |= INTERRUPT_VRING;
            interrupt.run();
        }
    }

    /**
     * The driver-visible state: status, features, selectors, interrupt status, each queue's setup
     * and indices. The vCPUs are paused, so first every request already made available is carried
     * out: the queue thread could otherwise complete one after the state is saved but before guest
     * memory is, and the two would disagree.
     */
    synchronized void saveState(DataOutput out) throws IOException {
        for (int q = 0; q < queues.length; q++) notifyQueue(q);
        out.writeInt(status);
        out.writeLong(driverFeatures);
        out.writeInt(deviceFeaturesSel);
        out.writeInt(driverFeaturesSel);
        out.writeInt(queueSel);
        out.writeInt(interruptStatus);
        out.writeInt(queues.length);
        for (Virtqueue q : queues) {
            out.writeInt(q.size);
            out.writeBoolean(q.ready);
            out.writeLong(q.descAddress);
            out.writeLong(q.driverAddress);
            out.writeLong(q.deviceAddress);
            out.writeShort(q.nextAvail());
            out.writeShort(q.nextUsed());
        }
    }

    /** Reads what {@link #saveState} wrote; state this device could never have held is an {@link IOException}. */
    synchronized void restoreState(DataInput in) throws IOException {
        int status = in.readInt();
        long features = in.readLong();
        if (status < 0 || status > 0xff) throw new IOException("device status " + status + " is not a status byte");
        if ((features & ~deviceFeatures) != 0) throw new IOException(String.format("driver features 0x%x were never offered", features));
        this.status = status;
        driverFeatures = features;
        deviceFeaturesSel = in.readInt();
        driverFeaturesSel = in.readInt();
        queueSel = in.readInt();
        interruptStatus = in.readInt() & (INTERRUPT_VRING | INTERRUPT_CONFIG);
        int count = in.readInt();
        if (count != queues.length) throw new IOException(count + " queues saved, the device has " + queues.length);
        for (int i = 0; i < count; i++) {
            Virtqueue q = queues[i];
            q.size = in.readInt();
            q.ready = in.readBoolean();
            q.descAddress = in.readLong();
            q.driverAddress = in.readLong();
            q.deviceAddress = in.readLong();
            q.restoreIndices(in.readUnsignedShort(), in.readUnsignedShort());
            String problem = q.ready ? q.checkLayout(memory) : null;
            if (problem != null) throw new IOException("queue " + i + ": " + problem);
        }
        // an interrupt raised while saving came after the irqchip's state was taken: raise it again
        if (interruptStatus != 0) interrupt.run();
    }

    private void needsReset(String problem) {
        status |= STATUS_DEVICE_NEEDS_RESET;
        interruptStatus |= INTERRUPT_CONFIG;
        errors.report(device.name() + " " + problem + "; the device needs a reset");
        interrupt.run();
    }
}
