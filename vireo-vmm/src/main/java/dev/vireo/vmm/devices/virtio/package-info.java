/**
 * Para-virtualized devices: the virtio 1.x MMIO transport (version 2), split virtqueues read
 * from guest memory, and the console, block and entropy devices behind them. Notifications
 * arrive through KVM ioeventfds and interrupts leave through irqfds ({@link VirtioMmioDevice}).
 */
package dev.vireo.vmm.devices.virtio;
