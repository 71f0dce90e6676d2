package dev.vireo.vmm.migration;

import dev.vireo.vmm.VmConfig;
import dev.vireo.vmm.VmState;
import dev.vireo.vmm.VmmAction;
import dev.vireo.vmm.machine.Machine;
import dev.vireo.vmm.machine.MachineBuilder;
import dev.vireo.vmm.memory.DirtyLog;
import dev.vireo.vmm.memory.GuestMemory;
import dev.vireo.vmm.snapshot.StateFile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.BitSet;

/** A running {@link Machine} as the source of a migration: KVM's dirty log, pause/resume, the snapshot's state format. */
public final class MachineSource implements SourceVm {
    private final Machine machine;
    private final VmConfig config;

    /** {@code config} is what the VM was built from; null for one restored or received, which cannot move cold. */
    public MachineSource(Machine machine, VmConfig config) {
        this.machine = machine;
        this.config = config;
    }

    @Override
    public GuestMemory memory() {
        return machine.memory();
    }

    @Override
    public int vcpus() {
        return machine.vcpuCount();
    }

    @Override
    public DirtyPages startDirtyLog() {
        DirtyLog log = machine.startDirtyLog();
        return new DirtyPages() {
            @Override
            public void collect(BitSet dirty) {
                log.collect(dirty);
            }

            @Override
            public void close() {
                log.close();
            }
        };
    }

    @Override
    public void pause() {
        if (act(new VmmAction.Pause()) != VmState.PAUSED) throw new IllegalStateException("the guest ended before it could be paused");
    }

    @Override
    public void resume() {
        act(new VmmAction.Resume());
    }

    @Override
    public BootConfig bootConfig() {
        if (config == null) throw new IllegalStateException("this VM was restored or migrated here: it has no kernel file to boot again");
        return new BootConfig(config.kernel().name(), config.kernel().elf(), config.cmdline(), config.disk());
    }

    @Override
    public void warmUp() {
        MachineBuilder.warmUp();
    }

    @Override
    public byte[] saveState() {
        return StateFile.encode(machine.captureState());
    }

    private VmState act(VmmAction action) {
        try {
            return machine.handle(action);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the VM was being paused or resumed");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
