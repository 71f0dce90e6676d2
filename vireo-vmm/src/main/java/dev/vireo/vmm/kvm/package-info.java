/** The KVM API through vireo-sys: /dev/kvm, VM and vCPU descriptors, and the structures of linux/kvm.h (Linux 6.1). */
package dev.vireo.vmm.kvm;
