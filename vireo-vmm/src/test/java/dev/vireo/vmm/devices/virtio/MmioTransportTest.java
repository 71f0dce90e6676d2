package dev.vireo.vmm.devices.virtio;

import dev.vireo.vmm.devices.RateLimitedLog;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static dev.vireo.vmm.devices.virtio.MmioTransport.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The register window as a driver sees it: probing, negotiation, queue setup, notification, reset. */
class MmioTransportTest {
    private final ByteArrayOutputStream console = new ByteArrayOutputStream();
    private final List<String> log = new ArrayList<>();
    private int interrupts;

    private MmioTransport transport(Rings r) {
        return new MmioTransport(new VirtioConsole(console::writeBytes), r.memory, () -> interrupts++,
                new RateLimitedLog(log::add, () -> 0, 10, 1));
    }

    /** What a driver does before DRIVER_OK: acknowledge, accept VERSION_1, set up the transmit queue. */
    private static void bringUp(MmioTransport t, int queueSize) {
        t.write(STATUS, 4, STATUS_ACKNOWLEDGE);
        t.write(STATUS, 4, STATUS_ACKNOWLEDGE | STATUS_DRIVER);
        t.write(DRIVER_FEATURES_SEL, 4, 1);
        t.write(DRIVER_FEATURES, 4, 1);
        t.write(STATUS, 4, STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK);
        assertEquals(STATUS_FEATURES_OK, t.read(STATUS, 4) & STATUS_FEATURES_OK);
        t.write(QUEUE_SEL, 4, VirtioConsole.TRANSMIT);
        t.write(QUEUE_NUM, 4, queueSize);
        t.write(QUEUE_DESC_LOW, 4, Rings.DESC);
        t.write(QUEUE_DRIVER_LOW, 4, Rings.AVAIL);
        t.write(QUEUE_DEVICE_LOW, 4, Rings.USED);
        t.write(QUEUE_READY, 4, 1);
        t.write(STATUS, 4, STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK | STATUS_DRIVER_OK);
    }

    @Test
    void identifiesItselfAsAVersionTwoDevice() {
        try (Rings r = new Rings(8)) {
            MmioTransport t = transport(r);
            assertEquals(0x74726976L, t.read(MAGIC_VALUE, 4));
            assertEquals(2, t.read(VERSION, 4));
            assertEquals(VirtioDevice.ID_CONSOLE, t.read(DEVICE_ID, 4));
            assertEquals(QUEUE_MAX, t.read(QUEUE_NUM_MAX, 4));
            t.write(DEVICE_FEATURES_SEL, 4, 1);
            assertEquals(1, t.read(DEVICE_FEATURES, 4), "VERSION_1 is bit 32");
            t.write(DEVICE_FEATURES_SEL, 4, 0);
            assertEquals(F_INDIRECT_DESC, t.read(DEVICE_FEATURES, 4));
            t.write(QUEUE_SEL, 4, 7);
            assertEquals(0, t.read(QUEUE_NUM_MAX, 4), "no queue 7");
        }
    }

    @Test
    void refusesFeaturesWithoutVersionOneOrNotOffered() {
        try (Rings r = new Rings(8)) {
            MmioTransport t = transport(r);
            t.write(STATUS, 4, STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK);
            assertEquals(0, t.read(STATUS, 4) & STATUS_FEATURES_OK, "a legacy driver is refused");
            t.write(STATUS, 4, 0);
            t.write(DRIVER_FEATURES_SEL, 4, 1);
            t.write(DRIVER_FEATURES, 4, 1 | 2);
            t.write(STATUS, 4, STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK);
            assertEquals(0, t.read(STATUS, 4) & STATUS_FEATURES_OK, "bit 33 was never offered");
        }
    }

    @Test
    void transmitsWhatTheDriverQueuesAndInterrupts() {
        try (Rings r = new Rings(8)) {
            MmioTransport t = transport(r);
            bringUp(t, 8);
            r.memory.write(Rings.DATA, "hello\n".getBytes());
            r.descriptor(0, Rings.DATA, 6, 0, 0);
            r.offer(0);
            t.write(QUEUE_NOTIFY, 4, VirtioConsole.TRANSMIT);
            assertEquals("hello\n", console.toString());
            assertEquals(1, r.usedIndex());
            assertEquals(1, interrupts);
            assertEquals(INTERRUPT_VRING, t.read(INTERRUPT_STATUS, 4));
            t.write(INTERRUPT_ACK, 4, INTERRUPT_VRING);
            assertEquals(0, t.read(INTERRUPT_STATUS, 4));

            r.availFlags(Virtqueue.AVAIL_F_NO_INTERRUPT);
            r.offer(0);
            t.write(QUEUE_NOTIFY, 4, VirtioConsole.TRANSMIT);
            assertEquals(2, r.usedIndex());
            assertEquals(1, interrupts, "a polling driver asked for no interrupt");
        }
    }

    @Test
    void aMaliciousChainMarksTheDeviceBrokenUntilReset() {
        try (Rings r = new Rings(8)) {
            MmioTransport t = transport(r);
            bringUp(t, 8);
            r.descriptor(0, Rings.DATA, 4, Virtqueue.DESC_F_NEXT, 0);
            r.offer(0);
            t.write(QUEUE_NOTIFY, 4, VirtioConsole.TRANSMIT);
            assertEquals(STATUS_DEVICE_NEEDS_RESET, t.read(STATUS, 4) & STATUS_DEVICE_NEEDS_RESET);
            assertEquals(INTERRUPT_CONFIG, t.read(INTERRUPT_STATUS, 4) & INTERRUPT_CONFIG);
            assertEquals(1, log.size());
            assertTrue(log.getFirst().startsWith("virtio-console queue 1: the chain from descriptor 0"), log.getFirst());

            r.descriptor(0, Rings.DATA, 4, 0, 0);
            r.offer(0);
            t.write(QUEUE_NOTIFY, 4, VirtioConsole.TRANSMIT);
            assertEquals(0, r.usedIndex(), "a broken device takes no requests");

            t.write(STATUS, 4, 0);
            assertEquals(0, t.read(STATUS, 4));
            t.write(QUEUE_SEL, 4, VirtioConsole.TRANSMIT);
            assertEquals(0, t.read(QUEUE_READY, 4), "reset takes the queues down");
        }
    }

    @Test
    void aQueueOutsideGuestMemoryIsRefusedWhenMadeReady() {
        try (Rings r = new Rings(8)) {
            MmioTransport t = transport(r);
            t.write(QUEUE_SEL, 4, 1);
            t.write(QUEUE_DESC_LOW, 4, 0);
            t.write(QUEUE_DESC_HIGH, 4, 1);
            t.write(QUEUE_READY, 4, 1);
            assertEquals(0, t.read(QUEUE_READY, 4));
            assertEquals(STATUS_DEVICE_NEEDS_RESET, t.read(STATUS, 4));
            assertEquals(1, log.size());
        }
    }

    @Test
    void configurationSpaceReadsAtAnyWidth() {
        try (Rings r = new Rings(8)) {
            MmioTransport t = new MmioTransport(new VirtioRng(), r.memory, () -> { }, new RateLimitedLog(log::add, () -> 0, 1, 1));
            assertEquals(VirtioDevice.ID_RNG, t.read(DEVICE_ID, 4));
            assertEquals(0, t.read(CONFIG, 8));
            assertEquals(0, t.read(DEVICE_ID, 2), "registers are 32-bit only");
        }
    }

    private static byte[] save(MmioTransport t) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        t.saveState(new DataOutputStream(bytes));
        return bytes.toByteArray();
    }

    @Test
    void savedStateCarriesTheQueuesOverAndFinishesWhatWasAvailable() throws Exception {
        try (Rings r = new Rings(8)) {
            MmioTransport t = transport(r);
            bringUp(t, 8);
            r.memory.write(Rings.DATA, "ab".getBytes());
            r.descriptor(0, Rings.DATA, 2, 0, 0);
            r.offer(0); // made available, not yet notified: saving carries it out
            byte[] state = save(t);
            assertEquals("ab", console.toString());
            assertEquals(1, r.usedIndex());

            interrupts = 0;
            MmioTransport restored = transport(r);
            restored.restoreState(new DataInputStream(new ByteArrayInputStream(state)));
            assertEquals(1, interrupts, "the unacknowledged interrupt is raised again");
            assertEquals(STATUS_ACKNOWLEDGE | STATUS_DRIVER | STATUS_FEATURES_OK | STATUS_DRIVER_OK, restored.read(STATUS, 4));
            r.offer(0);
            restored.write(QUEUE_NOTIFY, 4, VirtioConsole.TRANSMIT);
            assertEquals("abab", console.toString());
            assertEquals(2, r.usedIndex(), "the restored queue continues from the saved indices");
        }
    }

    @Test
    void stateTheDeviceCouldNeverHaveHeldIsRefused() throws Exception {
        try (Rings r = new Rings(8)) {
            MmioTransport t = transport(r);
            bringUp(t, 8);
            byte[] good = save(t);
            byte[] badStatus = good.clone();
            badStatus[2] = 1; // status 0x1xx
            IOException e = assertThrows(IOException.class, () -> transport(r).restoreState(new DataInputStream(new ByteArrayInputStream(badStatus))));
            assertTrue(e.getMessage().contains("not a status byte"), e.getMessage());
            byte[] badFeatures = good.clone();
            badFeatures[4] = 0x7f; // bits 56-62
            e = assertThrows(IOException.class, () -> transport(r).restoreState(new DataInputStream(new ByteArrayInputStream(badFeatures))));
            assertTrue(e.getMessage().contains("never offered"), e.getMessage());
            assertThrows(IOException.class, () -> transport(r).restoreState(new DataInputStream(new ByteArrayInputStream(good, 0, 20))),
                    "a truncated state");
        }
    }
}
