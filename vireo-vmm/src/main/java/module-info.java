/** Vireo's KVM virtual machine monitor. */
module dev.vireo.vmm {
    requires dev.vireo.sys;
    requires aircompressor;
    requires dev.vireo.http;
    requires dev.vireo.json;
    exports dev.vireo.vmm;
    opens dev.vireo.vmm.snapshot to dev.vireo.json;
}
