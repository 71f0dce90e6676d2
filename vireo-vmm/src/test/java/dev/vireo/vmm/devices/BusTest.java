package dev.vireo.vmm.devices;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class BusTest {
    private static BusDevice device(String name) {
        return new BusDevice() {
            public String name() {
                return name;
            }

            public long read(long offset, int size) {
                return offset;
            }

            public void write(long offset, int size, long value) {}
        };
    }

    @Test
    void findsTheDeviceClaimingAnAddressAndNothingBetweenRanges() {
        Bus bus = new Bus("I/O port");
        bus.insert(0x3f8, 8, device("uart0"));
        bus.insert(0xf4, 4, device("exit"));
        bus.insert(0xd000_0000L, 0x1000, device("mmio"));
        assertEquals("uart0", bus.find(0x3f8).device().name());
        assertEquals("uart0", bus.find(0x3ff).device().name());
        assertNull(bus.find(0x400));
        assertNull(bus.find(0x3f7));
        assertEquals("exit", bus.find(0xf7).device().name());
        assertNull(bus.find(0xf8));
        assertEquals(0xd000_0000L, bus.find(0xd000_0fffL).base());
        assertNull(bus.find(-1L));
    }

    @Test
    void refusesOverlappingRanges() {
        Bus bus = new Bus("I/O port");
        bus.insert(0x3f8, 8, device("uart0"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> bus.insert(0x3fc, 8, device("other")));
        assertEquals("I/O port range 0x3fc+0x8 of other overlaps uart0", e.getMessage());
    }
}
