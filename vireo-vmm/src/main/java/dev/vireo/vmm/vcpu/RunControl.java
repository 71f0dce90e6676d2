package dev.vireo.vmm.vcpu;

import dev.vireo.vmm.VmOutcome;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What a VM's vCPU threads share: stop and pause requests, the outcome (the first terminal
 * exit wins), and the parking place for paused vCPUs. Pausing kicks every vCPU out of KVM_RUN
 * and waits until each one has parked.
 */
public final class RunControl {
    private final List<VcpuRunner> runners = new CopyOnWriteArrayList<>();
    private volatile boolean stopRequested, pauseRequested;
    private VmOutcome outcome;
    private int running, parked;

    void register(VcpuRunner runner) {
        runners.add(runner);
    }

    boolean stopRequested() {
        return stopRequested;
    }

    boolean pauseRequested() {
        return pauseRequested;
    }

    /** Ends the run with {@code result} unless it has already ended; kicks every vCPU. */
    public void stop(VmOutcome result) {
        synchronized (this) {
            if (outcome == null) outcome = result;
            stopRequested = true;
            notifyAll();
        }
        runners.forEach(VcpuRunner::kick);
    }

    /** Blocks until every vCPU is parked (or the VM has stopped). */
    public void pause() throws InterruptedException {
        pauseRequested = true;
        runners.forEach(VcpuRunner::kick);
        synchronized (this) {
            while (parked < running && !stopRequested) wait();
        }
    }

    /** Makes vCPU threads about to start park before their first KVM_RUN, until {@link #resume}. */
    public void holdAtStart() {
        pauseRequested = true;
    }

    public synchronized void resume() {
        pauseRequested = false;
        notifyAll();
    }

    /** Blocks until every vCPU thread has left its run loop; returns the outcome. */
    public synchronized VmOutcome awaitOutcome() throws InterruptedException {
        while (running > 0 || outcome == null) wait();
        return outcome;
    }

    public synchronized boolean isPaused() {
        return pauseRequested && parked == running && running > 0;
    }

    synchronized void started() {
        running++;
    }

    synchronized void finished() {
        running--;
        notifyAll();
    }

    /** Called by a vCPU thread: waits while a pause is requested. */
    synchronized void park() throws InterruptedException {
        parked++;
        notifyAll();
        try {
            while (pauseRequested && !stopRequested) wait();
        } finally {
            parked--;
        }
    }
}
