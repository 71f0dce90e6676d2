/** seccomp: libseccomp-style profiles compiled to classic BPF, and the default profile. */
package dev.vireo.runtime.seccomp;
