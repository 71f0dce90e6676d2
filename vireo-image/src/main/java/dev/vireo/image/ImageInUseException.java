package dev.vireo.image;

/** An image that a container's root filesystem uses cannot be removed without force. */
public final class ImageInUseException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public ImageInUseException(String reference, String id) {
        super("image " + reference + " (" + id + ") is in use by a container: remove the container first, or force");
    }
}
