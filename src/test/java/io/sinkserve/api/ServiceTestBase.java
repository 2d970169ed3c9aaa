package io.sinkserve.api;

import io.quarkus.test.common.http.TestHTTPResource;
import org.junit.jupiter.api.BeforeEach;

import java.net.URI;
import java.net.http.HttpResponse;

/**
 * Base of the HTTP tests on the real app: waits for /q/health/ready (the model loads in the background
 * after Quarkus starts) and gives each test a client for the app's random port.
 */
abstract class ServiceTestBase {
    private static final long READY_TIMEOUT_NANOS = 120_000_000_000L;

    @TestHTTPResource("/")
    URI base;
    Http http;

    @BeforeEach
    void awaitReady() throws Exception {
        http = new Http(base);
        long deadline = System.nanoTime() + READY_TIMEOUT_NANOS;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = http.get("/q/health/ready");
            if (r.statusCode() == 200) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("service not ready after 120 s");
    }
}
