/** htpasswd files with bcrypt hashes, and the Basic challenge. */
package dev.vireo.registry.auth;
