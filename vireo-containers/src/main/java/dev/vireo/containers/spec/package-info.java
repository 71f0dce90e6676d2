/** The parts of the conversion that read the container's root filesystem (users, groups) and write config.json. */
package dev.vireo.containers.spec;
