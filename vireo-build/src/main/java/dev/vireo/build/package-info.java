/**
 * The builder's API: {@link dev.vireo.build.Builder} builds a {@link dev.vireo.build.BuildRequest}
 * (a Dockerfile and its context) into an image in the store, reporting each step to a
 * {@link dev.vireo.build.BuildListener}.
 */
package dev.vireo.build;
