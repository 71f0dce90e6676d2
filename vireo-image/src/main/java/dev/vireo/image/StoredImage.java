package dev.vireo.image;

import dev.vireo.oci.Descriptor;

import dev.vireo.oci.ImageRef;

import java.time.Instant;

/** One entry of the store's image list: a name (null for a dangling image) and what it names. */
public record StoredImage(ImageRef name, Descriptor target, Instant created) {}
