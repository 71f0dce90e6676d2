package dev.vireo.vmm.devices.virtio;

import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.vireo.vmm.devices.virtio.Virtqueue.DESC_F_INDIRECT;
import static dev.vireo.vmm.devices.virtio.Virtqueue.DESC_F_NEXT;
import static dev.vireo.vmm.devices.virtio.Virtqueue.DESC_F_WRITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Split-ring parsing against rings built by hand, well-formed and malicious. */
class VirtqueueTest {

    @Test
    void popsChainedDescriptorsInOrderAndPublishesUsedElements() throws Exception {
        try (Rings r = new Rings(8)) {
            Virtqueue q = r.queue();
            assertNull(q.pop(r.memory), "nothing available yet");
            r.descriptor(3, Rings.DATA, 16, DESC_F_NEXT, 5);
            r.descriptor(5, Rings.DATA + 0x100, 512, DESC_F_NEXT | DESC_F_WRITE, 6);
            r.descriptor(6, Rings.DATA + 0x400, 1, DESC_F_WRITE, 0);
            r.offer(3);
            Chain c = q.pop(r.memory);
            assertEquals(3, c.head());
            assertEquals(List.of(new Chain.Buffer(Rings.DATA, 16, false), new Chain.Buffer(Rings.DATA + 0x100, 512, true),
                    new Chain.Buffer(Rings.DATA + 0x400, 1, true)), c.buffers());
            assertEquals(16, c.readableBytes());
            assertEquals(513, c.writableBytes());
            assertNull(q.pop(r.memory));
            q.push(r.memory, c.head(), 513);
            assertEquals(1, r.usedIndex());
            assertArrayEquals(new long[] {3, 513}, r.used(0));
        }
    }

    @Test
    void followsAnIndirectTable() throws Exception {
        try (Rings r = new Rings(4)) {
            long table = 0x5000;
            r.descriptor(table, 0, Rings.DATA, 8, DESC_F_NEXT, 1);
            r.descriptor(table, 1, Rings.DATA + 8, 8, DESC_F_WRITE, 0);
            r.descriptor(0, table, 32, DESC_F_INDIRECT, 0);
            r.offer(0);
            Chain c = r.queue().pop(r.memory);
            assertEquals(List.of(new Chain.Buffer(Rings.DATA, 8, false), new Chain.Buffer(Rings.DATA + 8, 8, true)), c.buffers());
        }
    }

    @Test
    void wrapsTheFreeRunningIndices() throws Exception {
        try (Rings r = new Rings(2)) {
            Virtqueue q = r.queue();
            r.descriptor(0, Rings.DATA, 4, 0, 0);
            for (int i = 0; i < 70_000; i++) {
                r.offer(0);
                Chain c = q.pop(r.memory);
                q.push(r.memory, c.head(), 0);
            }
            assertEquals(70_000 & 0xffff, r.usedIndex());
        }
    }

    @Test
    void refusesABufferOutsideGuestMemory() {
        try (Rings r = new Rings(4)) {
            r.descriptor(0, Rings.RAM - 8, 16, 0, 0);
            r.offer(0);
            VirtqueueException e = assertThrows(VirtqueueException.class, () -> r.queue().pop(r.memory));
            assertTrue(e.getMessage().contains("outside guest RAM"), e.getMessage());
        }
    }

    @Test
    void refusesAnAddressThatWrapsAround() {
        try (Rings r = new Rings(4)) {
            r.descriptor(0, -8, 16, 0, 0);
            r.offer(0);
            assertThrows(VirtqueueException.class, () -> r.queue().pop(r.memory));
        }
    }

    @Test
    void refusesALoopingChain() {
        try (Rings r = new Rings(4)) {
            r.descriptor(0, Rings.DATA, 4, DESC_F_NEXT, 1);
            r.descriptor(1, Rings.DATA, 4, DESC_F_NEXT, 0);
            r.offer(0);
            VirtqueueException e = assertThrows(VirtqueueException.class, () -> r.queue().pop(r.memory));
            assertTrue(e.getMessage().contains("longer than"), e.getMessage());
        }
    }

    @Test
    void refusesAChainLongerThanTheQueue() {
        try (Rings r = new Rings(4)) {
            for (int i = 0; i < 4; i++) r.descriptor(i, Rings.DATA, 4, DESC_F_NEXT, i + 1);
            r.offer(0);
            VirtqueueException e = assertThrows(VirtqueueException.class, () -> r.queue().pop(r.memory));
            assertTrue(e.getMessage().contains("outside a table of 4"), e.getMessage());
        }
    }

    @Test
    void refusesAHeadOutsideTheTable() {
        try (Rings r = new Rings(4)) {
            r.offer(9);
            assertThrows(VirtqueueException.class, () -> r.queue().pop(r.memory));
        }
    }

    @Test
    void refusesAnAvailableIndexRunningAheadOfTheQueue() {
        try (Rings r = new Rings(4)) {
            r.availIndex(5);
            VirtqueueException e = assertThrows(VirtqueueException.class, () -> r.queue().pop(r.memory));
            assertTrue(e.getMessage().contains("ahead"), e.getMessage());
        }
    }

    @Test
    void refusesNestedAndMalformedIndirectTables() {
        try (Rings r = new Rings(4)) {
            long table = 0x5000;
            r.descriptor(table, 0, table, 16, DESC_F_INDIRECT, 0);
            r.descriptor(0, table, 16, DESC_F_INDIRECT, 0);
            r.descriptor(1, table, 24, DESC_F_INDIRECT, 0);
            r.descriptor(2, Rings.RAM - 16, 32, DESC_F_INDIRECT, 0);
            Virtqueue q = r.queue();
            for (int head = 0; head < 3; head++) {
                r.offer(head);
                assertThrows(VirtqueueException.class, () -> q.pop(r.memory), "head " + head);
            }
        }
    }

    @Test
    void refusesAReadableBufferAfterAWritableOne() {
        try (Rings r = new Rings(4)) {
            r.descriptor(0, Rings.DATA, 4, DESC_F_NEXT | DESC_F_WRITE, 1);
            r.descriptor(1, Rings.DATA, 4, 0, 0);
            r.offer(0);
            assertThrows(VirtqueueException.class, () -> r.queue().pop(r.memory));
        }
    }

    @Test
    void checksTheLayoutTheDriverWrote() {
        try (Rings r = new Rings(8)) {
            Virtqueue q = r.queue();
            assertNull(q.checkLayout(r.memory));
            q.size = 6;
            assertTrue(q.checkLayout(r.memory).contains("power of two"));
            q.size = 8;
            q.deviceAddress = Rings.RAM - 8;
            assertTrue(q.checkLayout(r.memory).contains("outside"));
            q.deviceAddress = Rings.USED + 2;
            assertTrue(q.checkLayout(r.memory).contains("misaligned"));
        }
    }
}
