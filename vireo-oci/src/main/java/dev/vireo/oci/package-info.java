/** Digests, media types and image references, as the OCI image and distribution specs define them. */
package dev.vireo.oci;
