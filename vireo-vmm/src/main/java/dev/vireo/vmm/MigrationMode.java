package dev.vireo.vmm;

import java.util.Locale;

/** How a VM moves: the seed's four kinds of migration. */
public enum MigrationMode {
    /** A stopped VM's configuration (and disk) moves; it boots at the destination. */
    COLD,
    /** Pause, copy all memory and state, resume at the destination. */
    NONLIVE,
    /** Copy memory in rounds while the VM runs, then a short stop-and-copy of what is still dirty. */
    PRECOPY,
    /** Move the vCPU and device state first, resume at the destination, fetch memory behind it. */
    POSTCOPY;

    /** The name users type: {@code cold}, {@code nonlive}, {@code precopy}, {@code postcopy}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static MigrationMode parse(String label) {
        for (MigrationMode m : values()) {
            if (m.label().equals(label)) return m;
        }
        throw new IllegalArgumentException("unknown migration mode '" + label + "' (cold, nonlive, precopy, postcopy)");
    }
}
