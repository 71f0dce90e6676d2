/** The clone-to-exec plan, the vireo-init helper that carries it out, and hooks. */
package dev.vireo.runtime.linux;
