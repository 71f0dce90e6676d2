package dev.vireo.image;

import dev.vireo.oci.Digest;

import java.nio.file.Path;

/**
 * A separate process for the kill -9 test: writes stdin into a store as one blob, printing a
 * line at each progress report so the test knows the write is under way.
 */
public final class BlobWriterMain {
    private BlobWriterMain() {}

    public static void main(String[] args) throws Exception {
        ImageStore store = ImageStore.open(Path.of(args[0]));
        try (ImageStore.Lease _ = store.lease()) {
            store.putBlob("application/octet-stream", System.in, Digest.parse(args[1]), Long.parseLong(args[2]),
                    (item, action, done, total) -> {
                        System.out.println(action + " " + done);
                        System.out.flush();
                    });
        }
    }
}
