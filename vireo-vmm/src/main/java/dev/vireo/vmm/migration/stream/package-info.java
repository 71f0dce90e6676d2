/**
 * The migration stream: a versioned header, then typed chunks each closed by a CRC-32C, and
 * the page encodings (zero marker, XBZRLE delta, LZ4, zstd); bytes in, bytes out, no I/O policy.
 */
package dev.vireo.vmm.migration.stream;
