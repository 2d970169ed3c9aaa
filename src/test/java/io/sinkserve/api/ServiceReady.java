package io.sinkserve.api;

import java.net.URI;
import java.net.http.HttpResponse;

/** Waits for /q/health/ready: the model loads in the background after Quarkus starts. */
final class ServiceReady {
    private ServiceReady() {
    }

    static void await(URI base) throws Exception {
        Http http = new Http(base);
        long deadline = System.nanoTime() + 120_000_000_000L;
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
