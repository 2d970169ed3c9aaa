package io.sinkserve.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import jakarta.inject.Singleton;

/**
 * Keeps double quotes out of meter descriptions. The Prometheus writer escapes them in {@code # HELP} lines as
 * {@code \"}, an escape the text format does not define (only {@code \\} and {@code \n}), so strict parsers such
 * as promtool reject the whole page; Micrometer's own process CPU meter has one. Quarkus applies every
 * {@link MeterFilter} bean to its registries.
 */
@Singleton
public class HelpTextFilter implements MeterFilter {
    @Override
    public Meter.Id map(Meter.Id id) {
        String description = id.getDescription();
        if (description == null || description.indexOf('"') < 0) {
            return id;
        }
        return new Meter.Id(id.getName(), Tags.of(id.getTags()), id.getBaseUnit(), description.replace('"', '\''), id.getType());
    }
}
