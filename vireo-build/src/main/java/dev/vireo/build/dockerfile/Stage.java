package dev.vireo.build.dockerfile;

import java.util.List;

/** A build stage: its FROM (with the optional {@code AS name}, lower case) and the instructions after it. */
public record Stage(int index, String name, Instruction.From from, List<Instruction> instructions) {
    public Stage {
        instructions = List.copyOf(instructions);
    }
}
