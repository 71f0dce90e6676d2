/**
 * Vireo's virtual machine monitor: configure a VM ({@link dev.vireo.vmm.VmConfig}), run it
 * ({@link dev.vireo.vmm.VirtualMachine}), control it ({@link dev.vireo.vmm.VmmAction}, also over a
 * Unix socket: {@link dev.vireo.vmm.ApiServer}), snapshot and restore it, and read how it ended
 * and what it trapped ({@link dev.vireo.vmm.VmOutcome}, {@link dev.vireo.vmm.ExitStatistics}).
 * Nothing here touches KVM directly.
 */
package dev.vireo.vmm;
