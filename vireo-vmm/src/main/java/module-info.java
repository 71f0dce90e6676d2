/** Vireo's KVM virtual machine monitor. */
module dev.vireo.vmm {
    requires dev.vireo.sys;
    requires aircompressor;
    exports dev.vireo.vmm;
}
