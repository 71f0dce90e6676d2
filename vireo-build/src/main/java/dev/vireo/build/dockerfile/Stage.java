package dev.vireo.build.dockerfile;

import java.util.List;

/** A build stage: its FROM (with the optional {@code AS name}, lower case) and the instructions after it. */
public record Stage(int index, String name, Instruction.From from, List<Instruction> instructions) {
    public Stage {
        instructions = List.copyOf(instructions);
    }

    /** The name COPY --from and FROM use for this stage: its name, else its index. */
    public String label() {
        return name != null ? name : Integer.toString(index);
    }
}
