/** Emulated PC devices, register for register: the 16550A UART and the exit device. */
package dev.vireo.vmm.devices.legacy;
