package dev.vireo.image;

import dev.vireo.oci.Descriptor;

import dev.vireo.oci.BadContentException;

import dev.vireo.oci.ImageRef;

import dev.vireo.oci.Digest;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Turns what a user typed (a name, a digest, an image ID or a prefix of one) into an image, as Docker does. */
final class ImageResolver {
    private static final Pattern FULL_ID = Pattern.compile("(?:sha256:)?[a-f0-9]{64}");
    private static final Pattern ID_PREFIX = Pattern.compile("(?:sha256:)?[a-f0-9]{1,63}");

    private ImageResolver() {}

    static Image resolve(ImageStore store, String reference) throws IOException {
        if (FULL_ID.matcher(reference).matches()) {
            Digest digest = Digest.parse(reference.startsWith("sha256:") ? reference : "sha256:" + reference);
            for (StoredImage entry : store.list()) {
                if (entry.target().digest().equals(digest)) return store.image(entry.target());
            }
            for (StoredImage entry : store.list()) {
                Image image = store.image(entry.target());
                if (image.id().equals(digest)) return image;
            }
            throw new NoSuchImageException(reference);
        }
        ImageRef ref = null;
        try {
            ref = ImageRef.parse(reference);
        } catch (BadContentException e) {
            if (!ID_PREFIX.matcher(reference).matches()) throw e;
        }
        if (ref != null && ref.digest() != null) {
            long size = store.blobSize(ref.digest());
            if (size < 0) throw new NoSuchImageException(reference);
            return store.image(new Descriptor(null, ref.digest(), size));
        }
        if (ref != null) {
            var target = store.lookup(ref);
            if (target.isPresent()) return store.image(target.get());
        }
        if (ID_PREFIX.matcher(reference).matches()) {
            String prefix = reference.startsWith("sha256:") ? reference.substring(7) : reference;
            List<Image> matches = new ArrayList<>();
            for (StoredImage entry : store.list()) {
                Image image = store.image(entry.target());
                if (image.id().encoded().startsWith(prefix) && matches.stream().noneMatch(m -> m.id().equals(image.id()))) {
                    matches.add(image);
                }
            }
            if (matches.size() == 1) return matches.getFirst();
            if (matches.size() > 1) throw new BadContentException("image ID prefix '" + reference + "' is ambiguous");
        }
        throw new NoSuchImageException(reference);
    }
}
