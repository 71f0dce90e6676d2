/** Guest-physical memory: regions of host memory, each a KVM memory slot. */
package dev.vireo.vmm.memory;
