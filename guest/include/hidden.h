/* Force-included into kernel code: every symbol is local to the kernel image, so the
 * position-independent code reaches them RIP-relatively instead of through a GOT. */
#pragma GCC visibility push(hidden)
