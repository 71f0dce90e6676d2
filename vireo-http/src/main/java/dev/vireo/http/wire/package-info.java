/** The HTTP/1.1 wire format: parsing heads and bodies, framing responses, one connection's exchanges. */
package dev.vireo.http.wire;
