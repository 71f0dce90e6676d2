package dev.vireo.vmm.vcpu;

import dev.vireo.vmm.ExitStatistics;
import dev.vireo.vmm.devices.Bus;
import dev.vireo.vmm.kvm.KvmApi;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Turns the vCPUs' counters into {@link ExitStatistics}, naming the device behind each port and page. */
public final class ExitSummary {
    private ExitSummary() {}

    public static ExitStatistics summarize(List<ExitCounters> vcpus, Bus pio, Bus mmio) {
        ExitCounters total = new ExitCounters();
        for (ExitCounters c : vcpus) c.addTo(total);

        List<ExitStatistics.Reason> reasons = new ArrayList<>();
        long exits = 0, vmmNanos = 0;
        for (int r = 0; r < total.reasonCount.length; r++) {
            if (total.reasonCount[r] == 0) continue;
            reasons.add(new ExitStatistics.Reason(KvmApi.exitName(r), total.reasonCount[r], total.reasonNanos[r]));
            exits += total.reasonCount[r];
            vmmNanos += total.reasonNanos[r];
        }
        reasons.sort(Comparator.comparingLong(ExitStatistics.Reason::count).reversed());

        List<ExitStatistics.Port> ports = new ArrayList<>();
        for (int p = 0; p < 65536; p++) {
            if (total.portReads[p] + total.portWrites[p] == 0) continue;
            Bus.Range range = pio.find(p);
            ports.add(new ExitStatistics.Port(p, range == null ? null : range.device().name(), total.portReads[p],
                    total.portWrites[p], total.portNanos[p]));
        }

        List<ExitStatistics.MmioPage> pages = new ArrayList<>();
        total.mmio.forEach((page, reads, writes, nanos) -> {
            Bus.Range range = mmio.find(page << 12);
            pages.add(new ExitStatistics.MmioPage(page << 12, range == null ? null : range.device().name(), reads, writes, nanos));
        });
        pages.sort(Comparator.comparingLong(ExitStatistics.MmioPage::address));

        return new ExitStatistics(exits, vmmNanos, total.guestNanos, total.unclaimed, reasons, ports, pages);
    }
}
