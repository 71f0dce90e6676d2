/** Overlayfs mounts of layer stacks, within or beyond the one-page limit of mount options. */
package dev.vireo.image.overlay;
