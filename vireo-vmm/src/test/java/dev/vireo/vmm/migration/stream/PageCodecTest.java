package dev.vireo.vmm.migration.stream;

import dev.vireo.vmm.PageEncoding;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PageCodecTest {
    static final int PAGE = 4096;
    static final Set<PageEncoding> ALL_LZ4 = EnumSet.of(PageEncoding.ZERO, PageEncoding.XBZRLE, PageEncoding.LZ4);

    static byte[] random(long seed) {
        byte[] b = new byte[PAGE];
        new Random(seed).nextBytes(b);
        return b;
    }

    static byte[] text() {
        byte[] b = new byte[PAGE];
        byte[] line = "RESULT memtouch mib=16 passes=4 checksum=0x1234\n".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < PAGE; i++) b[i] = line[i % line.length];
        return b;
    }

    /** Encodes then decodes into {@code destination}, the page as the destination had it before. */
    static PageEntry roundTrip(PageEncoder encoder, long index, byte[] page, byte[] destination) throws StreamException {
        List<PageEntry> batch = new ArrayList<>();
        encoder.add(index, page, batch);
        PageEntry e = batch.getLast();
        if (e instanceof PageEntry.Data d) new PageDecoder(PAGE).decode(d, destination);
        else java.util.Arrays.fill(destination, (byte) 0);
        assertArrayEquals(page, destination);
        return e;
    }

    @Test
    void eachEncodingRoundTrips() throws StreamException {
        for (Set<PageEncoding> enabled : List.of(EnumSet.noneOf(PageEncoding.class), EnumSet.of(PageEncoding.ZERO), ALL_LZ4,
                EnumSet.of(PageEncoding.ZERO, PageEncoding.XBZRLE, PageEncoding.ZSTD))) {
            PageEncoder encoder = new PageEncoder(PAGE, enabled, 1 << 20);
            byte[] dest = new byte[PAGE];
            roundTrip(encoder, 1, random(1), dest);
            roundTrip(encoder, 2, text(), dest);
            roundTrip(encoder, 3, new byte[PAGE], dest);
        }
    }

    @Test
    void randomPagesGoRawCompressiblePagesGoCompressed() throws StreamException {
        PageEncoder lz4 = new PageEncoder(PAGE, ALL_LZ4, 1 << 20);
        assertEquals(PageEncoding.RAW, ((PageEntry.Data) roundTrip(lz4, 1, random(7), new byte[PAGE])).encoding());
        PageEntry.Data t = (PageEntry.Data) roundTrip(lz4, 2, text(), new byte[PAGE]);
        assertEquals(PageEncoding.LZ4, t.encoding());
        assertTrue(t.bytes().length < PAGE / 10, "text compresses tenfold: " + t.bytes().length);
        PageEncoder zstd = new PageEncoder(PAGE, EnumSet.of(PageEncoding.ZSTD), 0);
        assertEquals(PageEncoding.ZSTD, ((PageEntry.Data) roundTrip(zstd, 2, text(), new byte[PAGE])).encoding());
        PageEncoder none = new PageEncoder(PAGE, EnumSet.noneOf(PageEncoding.class), 0);
        assertEquals(PageEncoding.RAW, ((PageEntry.Data) roundTrip(none, 2, new byte[PAGE], new byte[PAGE])).encoding(),
                "without the zero encoding a zero page travels whole");
    }

    @Test
    void aPageResentAfterASmallChangeTravelsAsADelta() throws StreamException {
        PageEncoder encoder = new PageEncoder(PAGE, ALL_LZ4, 1 << 20);
        byte[] page = random(3), dest = new byte[PAGE];
        roundTrip(encoder, 5, page, dest);
        page[100] = (byte) ~page[100];
        page[4000] ^= 0x55;
        PageEntry.Data d = assertInstanceOf(PageEntry.Data.class, roundTrip(encoder, 5, page, dest));
        assertEquals(PageEncoding.XBZRLE, d.encoding());
        assertTrue(d.bytes().length < 20, "two changed bytes cost a few: " + d.bytes().length);
        PageEntry.Data same = (PageEntry.Data) roundTrip(encoder, 5, page, dest);
        assertEquals(0, same.bytes().length, "an unchanged page is an empty delta");
        byte[] other = random(4);
        assertEquals(PageEncoding.RAW, ((PageEntry.Data) roundTrip(encoder, 5, other, dest)).encoding(),
                "a page that changed throughout is not sent as a delta");
    }

    @Test
    void aPageWhoseCacheSlotWasTakenOverTravelsWhole() throws StreamException {
        PageEncoder encoder = new PageEncoder(PAGE, ALL_LZ4, 2L * PAGE); // two slots: pages 0 and 2 share one
        byte[] zero = random(10), one = random(11), two = random(12);
        byte[][] dest = new byte[3][PAGE];
        roundTrip(encoder, 0, zero, dest[0]);
        roundTrip(encoder, 1, one, dest[1]);
        roundTrip(encoder, 2, two, dest[2]);
        zero[7] ^= 1;
        one[7] ^= 1;
        assertEquals(PageEncoding.RAW, ((PageEntry.Data) roundTrip(encoder, 0, zero, dest[0])).encoding(), "page 2 took its slot");
        assertEquals(PageEncoding.XBZRLE, ((PageEntry.Data) roundTrip(encoder, 1, one, dest[1])).encoding());
    }

    @Test
    void xbzrleRoundTripsRandomEdits() throws StreamException {
        Random r = new Random(42);
        byte[] out = new byte[PAGE + 64];
        for (int trial = 0; trial < 500; trial++) {
            byte[] old = random(trial), now = old.clone();
            int edits = r.nextInt(40);
            for (int e = 0; e < edits; e++) {
                int at = r.nextInt(PAGE), len = 1 + r.nextInt(64);
                for (int i = at; i < Math.min(PAGE, at + len); i++) now[i] = (byte) r.nextInt();
            }
            int n = Xbzrle.encode(old, now, out);
            byte[] applied = old.clone();
            Xbzrle.decode(java.util.Arrays.copyOf(out, n), applied);
            assertArrayEquals(now, applied, "trial " + trial);
        }
        assertEquals(-1, Xbzrle.encode(random(1), random(2), new byte[100]), "a delta that does not fit is refused");
    }

    @Test
    void aDeltaRunningPastItsPageIsRefused() {
        byte[] delta = {(byte) 0x80, 0x20, 0x10, 1, 2}; // 4096 equal bytes then 16 literal ones
        assertThrows(StreamException.class, () -> Xbzrle.decode(delta, new byte[PAGE]));
        assertThrows(StreamException.class, () -> Xbzrle.decode(new byte[] {(byte) 0x80}, new byte[PAGE]));
    }

    @Test
    void zeroPagesMergeIntoRunsAndTheStatsSayWhatEachSaved() {
        PageEncoder encoder = new PageEncoder(PAGE, ALL_LZ4, 1 << 20);
        List<PageEntry> batch = new ArrayList<>();
        for (long i = 0; i < 100; i++) encoder.add(i, new byte[PAGE], batch);
        encoder.add(100, text(), batch);
        encoder.add(101, new byte[PAGE], batch);
        encoder.add(102, random(9), batch);
        assertEquals(List.of(new PageEntry.ZeroRun(0, 100)), batch.subList(0, 1));
        assertEquals(new PageEntry.ZeroRun(101, 1), batch.get(2));
        var lines = encoder.stats().lines();
        var zero = lines.stream().filter(l -> l.encoding() == PageEncoding.ZERO).findFirst().orElseThrow();
        assertEquals(101, zero.pages());
        assertEquals(2L * PageEncoder.ZERO_RUN_OVERHEAD, zero.wireBytes());
        assertEquals(101L * PAGE - 26, zero.savedBytes());
        var lz4 = lines.stream().filter(l -> l.encoding() == PageEncoding.LZ4).findFirst().orElseThrow();
        assertTrue(lz4.savedBytes() > PAGE / 2);
        var raw = lines.stream().filter(l -> l.encoding() == PageEncoding.RAW).findFirst().orElseThrow();
        assertEquals(-PageEncoder.DATA_ENTRY_OVERHEAD, raw.savedBytes());
        assertEquals(encoder.features(), PageEncoding.RAW.feature() | PageEncoding.ZERO.feature()
                | PageEncoding.XBZRLE.feature() | PageEncoding.LZ4.feature());
    }

    @Test
    void pagesNeverReadGoAsOneRunJoinedToTheZerosBeforeIt() {
        PageEncoder encoder = new PageEncoder(PAGE, ALL_LZ4, 1 << 20);
        List<PageEntry> batch = new ArrayList<>();
        encoder.add(7, new byte[PAGE], batch);
        assertEquals(0, encoder.addNeverRead(8, 60_000, batch));
        assertEquals(PageEncoder.ZERO_RUN_OVERHEAD, encoder.addNeverRead(70_000, 3, batch));
        assertEquals(List.of(new PageEntry.ZeroRun(7, 60_001), new PageEntry.ZeroRun(70_000, 3)), batch);
        var zero = encoder.stats().lines().getFirst();
        assertEquals(60_004, zero.pages());
        assertEquals(60_004L * PAGE - 2 * PageEncoder.ZERO_RUN_OVERHEAD, zero.savedBytes());

        PageEncoder raw = new PageEncoder(PAGE, EnumSet.noneOf(PageEncoding.class), 0);
        batch.clear();
        assertEquals(2 * (PageEncoder.DATA_ENTRY_OVERHEAD + PAGE), raw.addNeverRead(5, 2, batch));
        assertEquals(List.of(5L, 6L), batch.stream().map(e -> ((PageEntry.Data) e).index()).toList());
    }

    @Test
    void lz4AndZstdTogetherAreRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> new PageEncoder(PAGE, EnumSet.of(PageEncoding.LZ4, PageEncoding.ZSTD), 0));
    }

    @Test
    void garbageThatClaimsToBeLz4IsRefused() {
        PageEntry.Data bad = new PageEntry.Data(3, PageEncoding.LZ4, new byte[] {(byte) 0xff, 1, 2, 3});
        assertThrows(StreamException.class, () -> new PageDecoder(PAGE).decode(bad, new byte[PAGE]));
        PageEntry.Data shortRaw = new PageEntry.Data(3, PageEncoding.RAW, new byte[10]);
        assertThrows(StreamException.class, () -> new PageDecoder(PAGE).decode(shortRaw, new byte[PAGE]));
    }
}
