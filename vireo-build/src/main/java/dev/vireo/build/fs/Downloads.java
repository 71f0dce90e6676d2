package dev.vireo.build.fs;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;

/** ADD of a remote file: fetched over HTTP(S) into the builder's directory, hashed on the way. */
public final class Downloads {
    /** A fetched file: where it is, the name its URL gives it, its sha256, and the server's Last-Modified (-1: none). */
    public record Fetched(Path file, String name, String sha256, long modifiedSeconds) {}

    private Downloads() {}

    public static Fetched fetch(URI url, Path directory) throws IOException {
        String path = url.getPath() == null ? "" : url.getPath();
        String name = path.substring(path.lastIndexOf('/') + 1);
        if (name.isEmpty()) throw new IOException(url + " has no file name in its path to name the download after");
        HttpClient client = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(30)).build();
        HttpResponse<InputStream> response;
        try {
            response = client.send(HttpRequest.newBuilder(url).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new IOException("cannot download " + url + ": " + (e.getMessage() == null ? e.getClass().getSimpleName()
                    : e.getMessage()) + " (is there network access from here?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("download of " + url + " interrupted", e);
        }
        try (InputStream body = response.body()) {
            if (response.statusCode() / 100 != 2) throw new IOException("cannot download " + url + ": HTTP " + response.statusCode());
            Files.createDirectories(directory);
            Path file = Files.createTempFile(directory, "download-", ".part");
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            try (OutputStream out = new DigestOutputStream(Files.newOutputStream(file), sha)) {
                body.transferTo(out);
            }
            long modified = response.headers().firstValue("Last-Modified").map(Downloads::httpDate).orElse(-1L);
            return new Fetched(file, name, HexFormat.of().formatHex(sha.digest()), modified);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long httpDate(String value) {
        try {
            return ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toEpochSecond();
        } catch (DateTimeParseException e) {
            return -1;
        }
    }
}
