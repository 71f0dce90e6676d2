/** The layer cache: each step's result image kept under a key of its parent image, its instruction and the files it read. */
package dev.vireo.build.cache;
