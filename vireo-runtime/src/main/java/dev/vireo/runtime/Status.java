package dev.vireo.runtime;

/** The states of the runtime specification's lifecycle (runtime.md). */
public enum Status {
    CREATING("creating"), CREATED("created"), RUNNING("running"), STOPPED("stopped");

    private final String text;

    Status(String text) {
        this.text = text;
    }

    @Override
    public String toString() {
        return text;
    }
}
