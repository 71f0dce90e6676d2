/** JSON documents as records, maps and lists: {@link dev.vireo.json.Json} reads and writes them. */
package dev.vireo.json;
