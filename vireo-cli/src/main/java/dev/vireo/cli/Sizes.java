package dev.vireo.cli;

/** Byte counts for people, in the decimal units {@code docker images} uses. */
final class Sizes {
    private Sizes() {}

    static String human(long bytes) {
        if (bytes < 1000) return bytes + "B";
        String[] units = {"kB", "MB", "GB", "TB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1000 && unit < units.length - 1) {
            value /= 1000;
            unit++;
        }
        return (value < 10 ? String.format("%.2f", value) : value < 100 ? String.format("%.1f", value) : String.format("%.0f", value))
                + units[unit];
    }
}
