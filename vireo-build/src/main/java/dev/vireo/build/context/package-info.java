/** The build context: which files the build may read (.dockerignore), how COPY and ADD sources match them, their digests. */
package dev.vireo.build.context;
