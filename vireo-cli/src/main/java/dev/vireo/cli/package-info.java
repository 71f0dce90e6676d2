/** The {@code vireo} command: parses arguments, calls the modules' APIs, prints results and one-line errors. */
package dev.vireo.cli;
