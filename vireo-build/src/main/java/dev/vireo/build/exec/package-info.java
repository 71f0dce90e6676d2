/** Running a parsed Dockerfile: stages and their steps, each a cached transition from one image state to the next. */
package dev.vireo.build.exec;
