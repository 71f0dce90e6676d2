/** A registry speaking the OCI distribution specification (server, storage, garbage collection) and a client for it. */
package dev.vireo.registry;
