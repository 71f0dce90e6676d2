/** Containers on disk: one directory each with its record, names as links, per-container locks. */
package dev.vireo.containers.state;
