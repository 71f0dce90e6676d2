/** Container logs in the Kubernetes CRI format: written line by line with timestamps, read back and followed. */
package dev.vireo.containers.logs;
