/** Vireo's KVM virtual machine monitor. */
module dev.vireo.vmm {
    requires dev.vireo.sys;
    requires aircompressor;
    requires dev.vireo.http;
    requires com.fasterxml.jackson.databind;
    exports dev.vireo.vmm;
}
