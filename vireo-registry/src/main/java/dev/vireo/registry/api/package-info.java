/** The distribution API endpoints: requests in, spec error bodies and codes out. */
package dev.vireo.registry.api;
