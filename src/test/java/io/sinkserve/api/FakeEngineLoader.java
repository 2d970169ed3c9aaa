package io.sinkserve.api;

import io.sinkserve.scheduler.Engine;
import io.sinkserve.scheduler.FakeEngine;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.file.Path;

@ApplicationScoped
class FakeEngineLoader implements EngineLoader {
    @Override
    public Engine load(Path model, String name, int threads) {
        return new FakeEngine(true, name);
    }
}
