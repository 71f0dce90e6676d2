/** Image archives in and out of the store: OCI image layouts (directories and tars) and docker-save tars. */
package dev.vireo.image.archive;
