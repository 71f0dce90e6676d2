/** The Dockerfile language: parser directives, logical lines, instructions, and variable substitution. */
package dev.vireo.build.dockerfile;
