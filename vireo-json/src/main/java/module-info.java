/**
 * JSON to records and back on Jackson's streaming parser alone, without data binding's start-up
 * cost. A module whose records are bound from a package it does not export opens that package
 * to this one.
 */
module dev.vireo.json {
    requires com.fasterxml.jackson.core;

    exports dev.vireo.json;
}
