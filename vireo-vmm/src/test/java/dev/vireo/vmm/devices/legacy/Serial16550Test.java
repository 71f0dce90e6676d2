package dev.vireo.vmm.devices.legacy;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

import static dev.vireo.vmm.devices.legacy.Serial16550.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Serial16550Test {
    private final ByteArrayOutputStream sent = new ByteArrayOutputStream();
    private final List<Boolean> irq = new ArrayList<>();
    private final Serial16550 uart = new Serial16550("uart0", sent::write, irq::add);

    private int in(int register) {
        return (int) uart.read(register, 1);
    }

    private void out(int register, int value) {
        uart.write(register, 1, value);
    }

    @Test
    void transmitsThrWritesAndAlwaysReportsAnEmptyTransmitter() {
        out(RBR_THR_DLL, 'h');
        out(RBR_THR_DLL, 'i');
        assertEquals("hi", sent.toString());
        assertEquals(LSR_THRE | LSR_TEMT, in(LSR));
    }

    @Test
    void dlabSwitchesOffsetsZeroAndOneToTheDivisorLatches() {
        out(LCR, LCR_DLAB | 0x03);
        out(RBR_THR_DLL, 0x01);
        out(IER_DLM, 0x02);
        assertEquals(0x01, in(RBR_THR_DLL));
        assertEquals(0x02, in(IER_DLM));
        assertEquals("", sent.toString(), "a divisor write is not a transmitted byte");
        out(LCR, 0x03);
        assertEquals(0, in(IER_DLM), "IER is untouched by divisor writes");
        assertEquals(0x03, in(LCR));
    }

    @Test
    void receivesIntoAFifoAndReportsDataReady() {
        out(IIR_FCR, FCR_ENABLE);
        assertTrue(uart.offer((byte) 'a'));
        assertTrue(uart.offer((byte) 'b'));
        assertEquals(LSR_DR | LSR_THRE | LSR_TEMT, in(LSR));
        assertEquals('a', in(RBR_THR_DLL));
        assertEquals('b', in(RBR_THR_DLL));
        assertEquals(LSR_THRE | LSR_TEMT, in(LSR));
        for (int i = 0; i < 16; i++) assertTrue(uart.offer((byte) i));
        assertFalse(uart.offer((byte) 99), "a full 16-byte FIFO refuses more");
    }

    @Test
    void withoutFifosTheReceiverHoldsOneByte() {
        assertTrue(uart.offer((byte) 1));
        assertFalse(uart.offer((byte) 2));
    }

    @Test
    void iirReportsInterruptsByPriorityAndReadingItAcknowledgesThre() {
        assertEquals(IIR_NONE, in(IIR_FCR));
        out(IER_DLM, IER_THRE);
        assertEquals(IIR_THRE, in(IIR_FCR), "enabling THRE with an empty transmitter raises it at once");
        assertEquals(IIR_NONE, in(IIR_FCR), "reading IIR cleared it");
        out(IER_DLM, IER_THRE | IER_RDA);
        out(RBR_THR_DLL, 'x');
        uart.offer((byte) 'y');
        assertEquals(IIR_RDA, in(IIR_FCR), "received data outranks THR empty");
        in(RBR_THR_DLL);
        assertEquals(IIR_THRE, in(IIR_FCR));
        out(IIR_FCR, FCR_ENABLE | 0xc0);
        assertEquals(IIR_NONE | IIR_FIFO, in(IIR_FCR), "FIFO mode sets bits 6-7");
        uart.offer((byte) 'z');
        assertEquals(IIR_TIMEOUT | IIR_FIFO, in(IIR_FCR), "below the trigger level the FIFO reports a timeout");
    }

    @Test
    void loopbackFeedsTransmittedBytesBackAndModemLines() {
        out(MCR, MCR_LOOP | MCR_RTS | MCR_DTR);
        out(RBR_THR_DLL, 'L');
        assertEquals("", sent.toString(), "loopback keeps bytes off the line");
        assertEquals('L', in(RBR_THR_DLL));
        assertEquals(MSR_CTS | MSR_DSR, in(MSR) & 0xf0);
        out(MCR, MCR_LOOP);
        assertEquals(0x03, in(MSR) & 0x0f, "CTS and DSR changed since the last read");
        assertEquals(0, in(MSR) & 0x0f, "reading MSR cleared the delta bits");
        out(MCR, 0);
        assertEquals(MSR_DCD | MSR_DSR | MSR_CTS, in(MSR) & 0xf0);
    }

    @Test
    void overrunInLoopbackSetsAndLsrReadClearsTheError() {
        out(MCR, MCR_LOOP);
        out(RBR_THR_DLL, 1);
        out(RBR_THR_DLL, 2);
        assertEquals(LSR_DR | LSR_OE | LSR_THRE | LSR_TEMT, in(LSR));
        assertEquals(LSR_DR | LSR_THRE | LSR_TEMT, in(LSR));
    }

    @Test
    void interruptLineFollowsIirGatedByOut2() {
        out(IER_DLM, IER_RDA);
        uart.offer((byte) 1);
        assertTrue(irq.isEmpty(), "OUT2 off: the line stays low");
        out(MCR, MCR_OUT2);
        assertEquals(List.of(true), irq);
        in(RBR_THR_DLL);
        assertEquals(List.of(true, false), irq);
    }

    @Test
    void scratchRegisterHoldsAByte() {
        out(SCR, 0xa5);
        assertEquals(0xa5, in(SCR));
    }
}
