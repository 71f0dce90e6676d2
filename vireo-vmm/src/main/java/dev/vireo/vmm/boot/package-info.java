/** Booting a kernel: the ELF loader, boot GDT, identity page tables, long-mode registers and boot info. */
package dev.vireo.vmm.boot;
