package io.sinkserve.api;

import io.sinkserve.scheduler.Engine;

import java.nio.file.Path;

/** Loads the engine the service runs; a CDI bean so tests can swap in their own. */
public interface EngineLoader {
    Engine load(Path model, String name, int threads);
}
