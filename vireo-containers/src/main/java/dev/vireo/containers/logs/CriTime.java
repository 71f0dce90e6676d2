package dev.vireo.containers.logs;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/** RFC 3339 times in UTC with all nine fraction digits, as CRI logs carry them (fixed width, so they sort as text). */
final class CriTime {
    private CriTime() {}

    static String format(Instant t) {
        LocalDateTime d = LocalDateTime.ofEpochSecond(t.getEpochSecond(), t.getNano(), ZoneOffset.UTC);
        StringBuilder s = new StringBuilder(30);
        pad(s, d.getYear(), 4).append('-');
        pad(s, d.getMonthValue(), 2).append('-');
        pad(s, d.getDayOfMonth(), 2).append('T');
        pad(s, d.getHour(), 2).append(':');
        pad(s, d.getMinute(), 2).append(':');
        pad(s, d.getSecond(), 2).append('.');
        pad(s, d.getNano(), 9).append('Z');
        return s.toString();
    }

    private static StringBuilder pad(StringBuilder s, int value, int width) {
        String digits = Integer.toString(value);
        for (int i = digits.length(); i < width; i++) s.append('0');
        return s.append(digits);
    }
}
