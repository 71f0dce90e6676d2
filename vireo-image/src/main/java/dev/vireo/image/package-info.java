/**
 * The image API: OCI values (digests, descriptors, manifests, configs), image names, and the
 * {@link dev.vireo.image.ImageStore} that keeps blobs, tags, layer snapshots and container
 * root filesystems on disk.
 */
package dev.vireo.image;
