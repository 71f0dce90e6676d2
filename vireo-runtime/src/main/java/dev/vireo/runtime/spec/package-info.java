/** config.json as records, its validation, and the default configuration (Docker's). */
package dev.vireo.runtime.spec;
