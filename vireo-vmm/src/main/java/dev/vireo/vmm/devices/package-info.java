/** The device model: buses of port-I/O and MMIO ranges, and the devices that join them. */
package dev.vireo.vmm.devices;
