package dev.vireo.sys;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Faults on a real anonymous mapping of this process, resolved through the descriptor. */
class UserfaultfdTest {
    private static final int PAGE = 4096;

    @Test
    void ioctlNumbersMatchTheKernelHeader() {
        // Values from <linux/userfaultfd.h> as compiled for x86-64.
        assertEquals(0xc018aa3fL, Userfaultfd.UFFDIO_API.number());
        assertEquals(0xc020aa00L, Userfaultfd.UFFDIO_REGISTER.number());
        assertEquals(0x8010aa01L, Userfaultfd.UFFDIO_UNREGISTER.number());
        assertEquals(0x8010aa02L, Userfaultfd.UFFDIO_WAKE.number());
        assertEquals(0xc028aa03L, Userfaultfd.UFFDIO_COPY.number());
        assertEquals(0xc020aa04L, Userfaultfd.UFFDIO_ZEROPAGE.number());
    }

    @Test
    void kernelAccessToAMissingPageWaitsForTheCopy() throws Exception {
        try (Arena arena = Arena.ofShared(); Userfaultfd uffd = Userfaultfd.open(Userfaultfd.FEATURE_THREAD_ID, false)) {
            MemorySegment region = Mmap.anonymous(8L * PAGE, Mmap.PROT_READ | Mmap.PROT_WRITE, 0, arena);
            uffd.registerMissing(region);
            Fd[] pipe = Pipes.pipe();
            try (Fd in = pipe[0]; Fd out = pipe[1]) {
                MemorySegment page2 = region.asSlice(2L * PAGE, PAGE);
                // write(2) from the missing page: the kernel's copy faults, as KVM's accesses do
                CompletableFuture<Long> writer = CompletableFuture.supplyAsync(() -> FileIo.write(out, page2),
                        r -> Thread.ofPlatform().start(r));

                List<Userfaultfd.Event> events = uffd.read(arena.allocate(Userfaultfd.MSG_SIZE, 8));
                assertEquals(1, events.size());
                Userfaultfd.Event.PageFault fault = assertInstanceOf(Userfaultfd.Event.PageFault.class, events.getFirst());
                assertEquals(page2.address(), fault.address() & -PAGE);
                assertFalse(fault.write(), "write(2) only reads the page");
                assertTrue(fault.threadId() > 0, "UFFD_FEATURE_THREAD_ID names the faulting thread");

                MemorySegment content = arena.allocate(PAGE, PAGE);
                for (int i = 0; i < PAGE; i++) content.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 7));
                assertTrue(uffd.copy(page2.address(), content, true));
                assertEquals(PAGE, writer.get(10, TimeUnit.SECONDS));

                MemorySegment piped = arena.allocate(PAGE);
                assertEquals(PAGE, FileIo.read(in, piped));
                assertArrayEquals(content.toArray(ValueLayout.JAVA_BYTE), piped.toArray(ValueLayout.JAVA_BYTE));
                assertFalse(uffd.copy(page2.address(), content, true), "a page already there is EEXIST, reported as false");
            }
        }
    }

    @Test
    void zeropageResolvesAFaultWithZeroes() throws Exception {
        try (Arena arena = Arena.ofShared(); Userfaultfd uffd = Userfaultfd.open(0, false)) {
            MemorySegment region = Mmap.anonymous(4L * PAGE, Mmap.PROT_READ | Mmap.PROT_WRITE, 0, arena);
            region.fill((byte) 0); // populated before registering: no faults there
            MemorySegment fresh = Mmap.anonymous(4L * PAGE, Mmap.PROT_READ | Mmap.PROT_WRITE, 0, arena);
            uffd.registerMissing(fresh);
            CompletableFuture<Long> reader = CompletableFuture.supplyAsync(
                    () -> fresh.get(ValueLayout.JAVA_LONG, 3L * PAGE + 8), r -> Thread.ofPlatform().start(r));
            Userfaultfd.Event.PageFault fault = (Userfaultfd.Event.PageFault) uffd.read(arena.allocate(64, 8)).getFirst();
            assertEquals(fresh.address() + 3L * PAGE, fault.address() & -PAGE);
            assertTrue(uffd.zeropage(fresh.address() + 3L * PAGE, PAGE, true));
            assertEquals(0L, reader.get(10, TimeUnit.SECONDS));
            uffd.unregister(fresh);
        }
    }

    @Test
    void copyWithoutWakeLeavesTheThreadWaitingUntilWake() throws Exception {
        try (Arena arena = Arena.ofShared(); Userfaultfd uffd = Userfaultfd.open(0, false)) {
            MemorySegment region = Mmap.anonymous(2L * PAGE, Mmap.PROT_READ | Mmap.PROT_WRITE, 0, arena);
            uffd.registerMissing(region);
            Fd[] pipe = Pipes.pipe();
            try (Fd in = pipe[0]; Fd out = pipe[1]) {
                CompletableFuture<Long> writer = CompletableFuture.supplyAsync(
                        () -> FileIo.write(out, region.asSlice(0, 16)), r -> Thread.ofPlatform().start(r));
                uffd.read(arena.allocate(Userfaultfd.MSG_SIZE, 8));
                MemorySegment content = arena.allocate(PAGE, PAGE).fill((byte) 0x5a);
                assertTrue(uffd.copy(region.address(), content, false));
                uffd.wake(region.address(), PAGE);
                assertEquals(16L, writer.get(10, TimeUnit.SECONDS));
                MemorySegment piped = arena.allocate(16);
                FileIo.read(in, piped);
                assertEquals(0x5a5a5a5a5a5a5a5aL, piped.get(ValueLayout.JAVA_LONG_UNALIGNED, 0));
            }
        }
    }

    @Test
    void nonBlockingReadWithoutFaultsReturnsNoEvents() {
        try (Arena arena = Arena.ofConfined(); Userfaultfd uffd = Userfaultfd.open(0, true)) {
            assertEquals(List.of(), uffd.read(arena.allocate(Userfaultfd.MSG_SIZE, 8)));
        }
    }
}
