/** Content-addressed, crash-safe storage of blobs, manifests, tags, links and upload sessions on disk. */
package dev.vireo.registry.storage;
