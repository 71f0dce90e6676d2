package dev.vireo.image;

import dev.vireo.oci.Descriptor;

import dev.vireo.oci.Digest;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One layer of an image: its blob as stored and distributed (often compressed), the digest of
 * its uncompressed tar (the DiffID) and the ChainID that names the stack ending in it.
 */
public record Layer(Descriptor blob, Digest diffId, Digest chainId) {

    /**
     * ChainIDs as {@code config.md} defines them: ChainID(L0) = DiffID(L0), and
     * ChainID(L0..Ln) = sha256(ChainID(L0..Ln-1) + " " + DiffID(Ln)).
     */
    public static List<Digest> chainIds(List<Digest> diffIds) {
        List<Digest> chain = new ArrayList<>(diffIds.size());
        Digest parent = null;
        for (Digest diffId : diffIds) {
            parent = chainId(parent, diffId);
            chain.add(parent);
        }
        return chain;
    }

    /** The ChainID of {@code diffId} applied on the stack {@code parent} (null for the base layer). */
    public static Digest chainId(Digest parent, Digest diffId) {
        if (parent == null) return diffId;
        return Digest.sha256((parent + " " + diffId).getBytes(StandardCharsets.US_ASCII));
    }
}
