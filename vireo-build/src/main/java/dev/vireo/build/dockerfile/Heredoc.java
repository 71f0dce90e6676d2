package dev.vireo.build.dockerfile;

/**
 * A here-document of RUN, COPY or ADD: its terminator {@code name}, its {@code content} (each
 * line with its newline), whether variables in it are expanded (the terminator was not
 * quoted), whether leading tabs were stripped ({@code <<-}), and the marker as written.
 */
public record Heredoc(String name, String content, boolean expand, boolean chomp, String marker) {}
