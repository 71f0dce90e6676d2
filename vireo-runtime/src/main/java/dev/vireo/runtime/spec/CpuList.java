package dev.vireo.runtime.spec;

import dev.vireo.runtime.ConfigException;

import java.util.BitSet;

/** The kernel's list format for CPUs and memory nodes: {@code 0-3,6,8-9}. */
public final class CpuList {
    private CpuList() {}

    public static BitSet parse(String list, String field) {
        BitSet set = new BitSet();
        if (list.isBlank()) throw new ConfigException(field, "is empty");
        for (String part : list.trim().split(",")) {
            String[] range = part.trim().split("-", -1);
            try {
                int from = Integer.parseInt(range[0].trim());
                int to = range.length == 2 ? Integer.parseInt(range[1].trim()) : from;
                if (range.length > 2 || from < 0 || to < from || to > 8191) throw new NumberFormatException();
                set.set(from, to + 1);
            } catch (NumberFormatException e) {
                throw new ConfigException(field, "\"" + list + "\" is not a list like 0-3,6");
            }
        }
        return set;
    }
}
