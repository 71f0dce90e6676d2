package dev.vireo.containers.state;

import java.security.SecureRandom;
import java.util.List;

/** Names for containers run without {@code --name}, adjective_noun as Docker makes them. */
public final class Names {
    private static final List<String> ADJECTIVES = List.of("agile", "bold", "brave", "calm", "clever", "eager", "fond",
            "gentle", "happy", "jolly", "keen", "kind", "lively", "lucid", "merry", "nimble", "proud", "quick", "quiet",
            "sharp", "steady", "sunny", "swift", "tender", "vivid", "wise", "witty", "zealous");
    private static final List<String> NOUNS = List.of("alder", "aspen", "birch", "cedar", "cypress", "elm", "fir",
            "hazel", "hemlock", "holly", "juniper", "larch", "laurel", "linden", "magnolia", "maple", "oak", "olive",
            "pine", "poplar", "rowan", "sequoia", "spruce", "sumac", "walnut", "willow", "yew");
    private static final SecureRandom RANDOM = new SecureRandom();

    private Names() {}

    /** A random name; after a few collisions a number is appended, as Docker does. */
    public static String random(int attempt) {
        String name = ADJECTIVES.get(RANDOM.nextInt(ADJECTIVES.size())) + "_" + NOUNS.get(RANDOM.nextInt(NOUNS.size()));
        return attempt < 3 ? name : name + RANDOM.nextInt(10);
    }
}
