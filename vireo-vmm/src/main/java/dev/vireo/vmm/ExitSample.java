package dev.vireo.vmm;

/**
 * The exit counts at one moment the guest chose, by reading port 0xf0 (docs/BOOT-INFO.md):
 * the exits the VMM handled, and every VM exit KVM counted (those it handled itself too), or
 * -1 where KVM keeps no such statistic. The {@code io} workload reads the port before and after
 * each phase, so samples 2i and 2i+1 bracket its i-th RESULT line.
 */
public record ExitSample(long vmmExits, long kvmExits) {}
