package dev.vireo.vmm.migration.stream;

import java.util.LinkedHashMap;
import java.util.Map;

/** The source's copies of pages as last sent, for XBZRLE; least recently sent pages leave first. */
final class PageCache {
    private final LinkedHashMap<Long, byte[]> pages;

    PageCache(long capacityBytes, int pageSize) {
        long capacity = Math.max(1, capacityBytes / pageSize);
        this.pages = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, byte[]> eldest) {
                return size() > capacity;
            }
        };
    }

    byte[] get(long index) {
        return pages.get(index);
    }

    void remove(long index) {
        pages.remove(index);
    }

    /** Remembers {@code content} as sent; reuses the old copy's array when there is one. */
    void put(long index, byte[] content) {
        byte[] copy = pages.get(index);
        if (copy == null) copy = new byte[content.length];
        System.arraycopy(content, 0, copy, 0, content.length);
        pages.put(index, copy);
    }
}
