/** Control groups v1 and v2 behind one interface: placement, limits, statistics, removal. */
package dev.vireo.runtime.cgroups;
