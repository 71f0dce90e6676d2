/**
 * Linux system calls through java.lang.foreign: the only place in Vireo that touches native
 * code. Every call that fails throws {@link dev.vireo.sys.SysException} naming the call and
 * its errno.
 */
package dev.vireo.sys;
