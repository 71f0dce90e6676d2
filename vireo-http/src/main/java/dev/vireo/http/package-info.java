/** An HTTP/1.1 server (router, streaming bodies, hijacking) and a small client, for Vireo's APIs. */
package dev.vireo.http;
