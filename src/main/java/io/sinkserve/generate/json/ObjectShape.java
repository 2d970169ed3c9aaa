package io.sinkserve.generate.json;

import java.util.ArrayList;
import java.util.List;

/**
 * A JSON object. Declared properties are written in schema order: a required one must appear, an
 * optional one may be skipped. When {@code additional} is non-null, further properties with names other
 * than the declared ones may follow the declared ones, each with a value of {@code additional}.
 */
final class ObjectShape extends Node {
    private final List<Property> properties;
    private final Node additional;
    /** For each index i, the first required property at or after i (properties.size() if none). */
    private final int[] firstRequiredFrom;
    /** The declared names, which an additional property's key must not repeat; null if none are declared. */
    private final ByteTrie declaredNames;

    ObjectShape(List<Property> properties, Node additional) {
        this.properties = List.copyOf(properties);
        this.additional = additional;
        this.firstRequiredFrom = new int[properties.size() + 1];
        firstRequiredFrom[properties.size()] = properties.size();
        for (int i = properties.size() - 1; i >= 0; i--) {
            firstRequiredFrom[i] = properties.get(i).required() ? i : firstRequiredFrom[i + 1];
        }
        List<byte[]> names = new ArrayList<>();
        for (Property p : properties) {
            names.add(p.nameBytes());
        }
        this.declaredNames = names.isEmpty() ? null : ByteTrie.of(names);
    }

    List<Property> properties() {
        return properties;
    }

    /** The node of additional property values, or null when none are allowed. */
    Node additional() {
        return additional;
    }

    ByteTrie declaredNames() {
        return declaredNames;
    }

    /** Whether every required property has been written once the next candidate is property {@code next}. */
    boolean requiredDone(int next) {
        return firstRequiredFrom[next] == properties.size();
    }

    /** The last property index that may be written next: the first required one, or the last one. */
    int lastCandidate(int next) {
        return Math.min(firstRequiredFrom[next], properties.size() - 1);
    }

    @Override
    int computeMinFrames() {
        int deepest = 0;
        for (Property p : properties) {
            if (p.required()) {
                deepest = Math.max(deepest, p.value().minFrames());
            }
        }
        return Math.min(UNREACHABLE, 1 + deepest);
    }
}
