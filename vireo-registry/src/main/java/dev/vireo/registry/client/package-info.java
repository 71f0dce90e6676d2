/** The distribution protocol from the client side: auth negotiation, blob and manifest transfer. */
package dev.vireo.registry.client;
