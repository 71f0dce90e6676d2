/** The state directory: one directory and state.json per container, claimed atomically and locked. */
package dev.vireo.runtime.state;
