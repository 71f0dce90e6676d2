/** The tar format of layers: a reader and a writer for ustar with PAX and GNU long-name extensions. */
package dev.vireo.image.tar;
