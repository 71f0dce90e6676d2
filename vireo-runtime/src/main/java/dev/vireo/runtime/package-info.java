/** The OCI runtime API: create, start, state, kill, delete, run, exec and stats of containers from bundles. */
package dev.vireo.runtime;
