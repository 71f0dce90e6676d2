/** The store's files on disk: blobs, the name index, locks, snapshots and atomic writes. */
package dev.vireo.image.store;
