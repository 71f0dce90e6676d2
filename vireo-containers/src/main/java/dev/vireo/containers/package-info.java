/** Containers made from images: the OCI image config turned into a runtime config, and their lifecycle. */
package dev.vireo.containers;
