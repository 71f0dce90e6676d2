/** Layer tars applied to snapshot directories (with overlay whiteouts) and directories written back as layer tars. */
package dev.vireo.image.layer;
