/** Running a container to its end: create and start through the runtime, log its output, wait, record the exit. */
package dev.vireo.containers.supervise;
