/** Linux system calls through java.lang.foreign; the only module that makes native calls. */
module dev.vireo.sys {
    exports dev.vireo.sys;
}
