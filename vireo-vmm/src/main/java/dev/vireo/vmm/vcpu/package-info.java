/** vCPU run loops: entering the guest, decoding and dispatching every exit, and counting them. */
package dev.vireo.vmm.vcpu;
