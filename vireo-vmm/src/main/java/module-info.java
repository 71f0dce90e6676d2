/** Vireo's KVM virtual machine monitor. */
module dev.vireo.vmm {
    requires dev.vireo.sys;
    exports dev.vireo.vmm;
}
