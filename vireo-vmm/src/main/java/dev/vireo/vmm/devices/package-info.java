/**
 * The device model: buses of port-I/O and MMIO ranges, the devices that join them, and the
 * contract by which each device's state goes into snapshots ({@link dev.vireo.vmm.devices.Snapshottable}).
 */
package dev.vireo.vmm.devices;
