/** Files inside an image's root filesystem: paths resolved without leaving the root, copies with owners and modes, accounts. */
package dev.vireo.build.fs;
