/**
 * Moving a VM between two Vireo processes over one connection: the source's pre-copy rounds,
 * stop-and-copy and post-copy page server, and the destination's receiver with its
 * userfaultfd pager. Works on {@link dev.vireo.vmm.migration.SourceVm} and
 * {@link dev.vireo.vmm.migration.DestinationVm}, so the protocol runs without KVM in tests.
 */
package dev.vireo.vmm.migration;
