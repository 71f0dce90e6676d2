package dev.vireo.vmm.devices.legacy;

import dev.vireo.vmm.devices.BusDevice;
import dev.vireo.vmm.devices.Snapshottable;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * A 16550A UART, register for register: RBR/THR, IER, IIR/FCR, LCR, MCR, LSR, MSR, SCR and
 * the divisor latches behind LCR.DLAB, a 16-byte receive FIFO (one byte with FIFOs off),
 * loopback, and the interrupt identification priorities. Transmission is instant: the
 * transmitter is always empty, so THRE and TEMT are always set and a THR write raises the THR
 * empty interrupt at once when enabled. The interrupt output (gated by MCR.OUT2, as on a PC)
 * goes to an {@link InterruptLine}; nothing listens to it until the VM has an interrupt
 * controller. Accessed by a vCPU thread and the input thread, hence synchronized. Its state
 * (every register, the receive FIFO, pending interrupts) is saved and restored whole.
 */
public final class Serial16550 implements BusDevice, Snapshottable {
    public static final int COM1 = 0x3f8;
    public static final int LENGTH = 8;

    /** Where the UART's interrupt output goes. */
    @FunctionalInterface
    public interface InterruptLine {
        void set(boolean asserted);
    }

    /** Where transmitted bytes go. */
    @FunctionalInterface
    public interface Output {
        void write(int b);
    }

    static final int RBR_THR_DLL = 0, IER_DLM = 1, IIR_FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7;
    static final int LCR_DLAB = 0x80;
    static final int IER_RDA = 0x01, IER_THRE = 0x02, IER_RLS = 0x04, IER_MS = 0x08;
    static final int IIR_NONE = 0x01, IIR_MS = 0x00, IIR_THRE = 0x02, IIR_RDA = 0x04, IIR_RLS = 0x06,
            IIR_TIMEOUT = 0x0c, IIR_FIFO = 0xc0;
    static final int FCR_ENABLE = 0x01, FCR_CLEAR_RX = 0x02;
    static final int MCR_DTR = 0x01, MCR_RTS = 0x02, MCR_OUT1 = 0x04, MCR_OUT2 = 0x08, MCR_LOOP = 0x10;
    static final int LSR_DR = 0x01, LSR_OE = 0x02, LSR_THRE = 0x20, LSR_TEMT = 0x40;
    static final int MSR_CTS = 0x10, MSR_DSR = 0x20, MSR_RI = 0x40, MSR_DCD = 0x80;
    private static final int FIFO_SIZE = 16;
    private static final int[] TRIGGER_LEVELS = {1, 4, 8, 14};

    private final String name;
    private final Output output;
    private final InterruptLine interrupt;

    private int ier, lcr = 0x03, mcr, scr, dll = 0x0c, dlm, msrDelta;
    private boolean fifoEnabled, overrun, thrInterrupt, lineAsserted;
    private int triggerLevel = 1;
    private final byte[] rx = new byte[FIFO_SIZE];
    private int rxHead, rxCount;

    public Serial16550(String name, Output output, InterruptLine interrupt) {
        this.name = name;
        this.output = output;
        this.interrupt = interrupt;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public synchronized long read(long offset, int size) {
        int value = switch ((int) offset) {
            case RBR_THR_DLL -> (lcr & LCR_DLAB) != 0 ? dll : receive();
            case IER_DLM -> (lcr & LCR_DLAB) != 0 ? dlm : ier;
            case IIR_FCR -> readIir();
            case LCR -> lcr;
            case MCR -> mcr;
            case LSR -> readLsr();
            case MSR -> readMsr();
            case SCR -> scr;
            default -> 0xff;
        };
        updateInterrupt();
        return value;
    }

    @Override
    public synchronized void write(long offset, int size, long value) {
        int v = (int) (value & 0xff);
        switch ((int) offset) {
            case RBR_THR_DLL -> {
                if ((lcr & LCR_DLAB) != 0) dll = v;
                else transmit(v);
            }
            case IER_DLM -> {
                if ((lcr & LCR_DLAB) != 0) {
                    dlm = v;
                } else {
                    // enabling the THRE interrupt while the transmitter is empty raises it at once
                    if ((v & IER_THRE) != 0 && (ier & IER_THRE) == 0) thrInterrupt = true;
                    ier = v & 0x0f;
                }
            }
            case IIR_FCR -> writeFcr(v);
            case LCR -> lcr = v;
            case MCR -> writeMcr(v & 0x1f);
            case SCR -> scr = v;
            default -> { } // LSR and MSR are read-only (writes are a factory test mode)
        }
        updateInterrupt();
    }

    @Override
    public synchronized void saveState(DataOutput out) throws IOException {
        for (int register : new int[] {ier, lcr, mcr, scr, dll, dlm, msrDelta, triggerLevel, rxHead, rxCount}) out.writeByte(register);
        for (boolean flag : new boolean[] {fifoEnabled, overrun, thrInterrupt, lineAsserted}) out.writeBoolean(flag);
        out.write(rx);
    }

    @Override
    public synchronized void restoreState(DataInput in) throws IOException {
        int[] r = new int[10];
        for (int i = 0; i < r.length; i++) r[i] = in.readUnsignedByte();
        if (r[0] > 0x0f) throw new IOException("uart IER 0x" + Integer.toHexString(r[0]) + " has reserved bits set");
        if (r[2] > 0x1f) throw new IOException("uart MCR 0x" + Integer.toHexString(r[2]) + " has reserved bits set");
        if (Arrays.stream(TRIGGER_LEVELS).noneMatch(level -> level == r[7])) {
            throw new IOException("uart FIFO trigger level " + r[7] + " is none of 1, 4, 8, 14");
        }
        if (r[8] >= FIFO_SIZE || r[9] > FIFO_SIZE) throw new IOException("uart receive FIFO position " + r[8] + "+" + r[9] + " is outside its 16 bytes");
        ier = r[0];
        lcr = r[1];
        mcr = r[2];
        scr = r[3];
        dll = r[4];
        dlm = r[5];
        msrDelta = r[6] & 0x0f;
        triggerLevel = r[7];
        rxHead = r[8];
        rxCount = r[9];
        fifoEnabled = in.readBoolean();
        overrun = in.readBoolean();
        thrInterrupt = in.readBoolean();
        lineAsserted = in.readBoolean();
        in.readFully(rx);
        notifyAll();
    }

    /**
     * Offers a byte from the host side (the terminal); returns false when the receive FIFO is
     * full, so the caller can wait rather than lose input. Notifies {@link #awaitRoom()}ers on reads.
     */
    public synchronized boolean offer(byte b) {
        if (rxCount >= capacity()) return false;
        push(b);
        updateInterrupt();
        return true;
    }

    /** Blocks until the receive FIFO has room for one more byte. */
    public synchronized void awaitRoom() throws InterruptedException {
        while (rxCount >= capacity()) wait();
    }

    private int capacity() {
        return fifoEnabled ? FIFO_SIZE : 1;
    }

    private void transmit(int v) {
        if ((mcr & MCR_LOOP) != 0) {
            if (rxCount >= capacity()) overrun = true;
            else push((byte) v);
        } else {
            output.write(v);
        }
        thrInterrupt = true;
    }

    private void push(byte b) {
        rx[(rxHead + rxCount) % FIFO_SIZE] = b;
        rxCount++;
    }

    private int receive() {
        if (rxCount == 0) return 0;
        int b = rx[rxHead] & 0xff;
        rxHead = (rxHead + 1) % FIFO_SIZE;
        rxCount--;
        notifyAll();
        return b;
    }

    private int readIir() {
        int id = interruptIdentification();
        if (id == IIR_THRE) thrInterrupt = false; // reading IIR acknowledges a THRE interrupt
        return id | (fifoEnabled ? IIR_FIFO : 0);
    }

    private int interruptIdentification() {
        if ((ier & IER_RLS) != 0 && overrun) return IIR_RLS;
        if ((ier & IER_RDA) != 0 && rxCount > 0) {
            return fifoEnabled && rxCount < triggerLevel ? IIR_TIMEOUT : IIR_RDA;
        }
        if ((ier & IER_THRE) != 0 && thrInterrupt) return IIR_THRE;
        if ((ier & IER_MS) != 0 && msrDelta != 0) return IIR_MS;
        return IIR_NONE;
    }

    private int readLsr() {
        int lsr = LSR_THRE | LSR_TEMT | (rxCount > 0 ? LSR_DR : 0) | (overrun ? LSR_OE : 0);
        overrun = false; // reading LSR clears the error bits
        return lsr;
    }

    private int readMsr() {
        int value = modemLines(mcr) | msrDelta;
        msrDelta = 0;
        return value;
    }

    private void writeFcr(int v) {
        boolean enable = (v & FCR_ENABLE) != 0;
        if (enable != fifoEnabled) {
            rxHead = rxCount = 0; // switching FIFO mode clears both FIFOs
            fifoEnabled = enable;
            notifyAll();
        }
        if ((v & FCR_CLEAR_RX) != 0) {
            rxHead = rxCount = 0;
            notifyAll();
        }
        triggerLevel = TRIGGER_LEVELS[(v >> 6) & 3];
    }

    private void writeMcr(int v) {
        int before = modemLines(mcr), after = modemLines(v);
        if ((mcr & MCR_LOOP) != 0 || (v & MCR_LOOP) != 0) {
            // delta bits: CTS, DSR and DCD changes; RI on its trailing edge
            int changed = before ^ after;
            msrDelta |= ((changed & MSR_CTS) != 0 ? 0x01 : 0) | ((changed & MSR_DSR) != 0 ? 0x02 : 0)
                    | ((before & MSR_RI) != 0 && (after & MSR_RI) == 0 ? 0x04 : 0)
                    | ((changed & MSR_DCD) != 0 ? 0x08 : 0);
        }
        mcr = v;
    }

    /** MSR's line bits: in loopback the MCR outputs fed back; otherwise a terminal that is always there. */
    private static int modemLines(int mcr) {
        if ((mcr & MCR_LOOP) == 0) return MSR_DCD | MSR_DSR | MSR_CTS;
        return ((mcr & MCR_RTS) != 0 ? MSR_CTS : 0) | ((mcr & MCR_DTR) != 0 ? MSR_DSR : 0)
                | ((mcr & MCR_OUT1) != 0 ? MSR_RI : 0) | ((mcr & MCR_OUT2) != 0 ? MSR_DCD : 0);
    }

    private void updateInterrupt() {
        boolean asserted = interruptIdentification() != IIR_NONE && (mcr & MCR_OUT2) != 0;
        if (asserted != lineAsserted) {
            lineAsserted = asserted;
            interrupt.set(asserted);
        }
    }
}
