/** Assembling a VM from its configuration and controlling it: the builder and the running machine. */
package dev.vireo.vmm.machine;
