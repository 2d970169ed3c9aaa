# syntax=docker/dockerfile:1
# sinkserve image: built with the Maven wrapper on a JDK 25, run on a JRE 25 as a non-root user,
# through the same ./sinkserve launcher (and so the same JVM flags) that the tests and CI use.

FROM eclipse-temurin:25-jdk AS build
WORKDIR /src
COPY mvnw pom.xml ./
COPY .mvn .mvn
COPY src src
# The Maven repository lives in a BuildKit cache, so a source change does not re-download dependencies.
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B -q -DskipTests package

FROM eclipse-temurin:25-jre
LABEL org.opencontainers.image.title="sinkserve" \
      org.opencontainers.image.description="CPU LLM server with a StreamingLLM KV cache per chat session"
# Fails the build early if this JRE lacks the Vector API module the launcher asks for.
RUN java --add-modules jdk.incubator.vector -XX:-UsePerfData -version \
 && useradd --system --uid 10001 --gid 0 --home-dir /app --shell /usr/sbin/nologin sinkserve \
 && mkdir -p /models && chown 10001:0 /models && chmod 0775 /models
WORKDIR /app
# Dependencies first: they change less often than the application, so the layer is reused.
COPY --from=build /src/target/quarkus-app/lib/ /app/quarkus-app/lib/
COPY --from=build /src/target/quarkus-app/quarkus/ /app/quarkus-app/quarkus/
COPY --from=build /src/target/quarkus-app/app/ /app/quarkus-app/app/
COPY --from=build /src/target/quarkus-app/quarkus-run.jar /app/quarkus-app/quarkus-run.jar
COPY sinkserve /app/sinkserve
COPY deploy/healthcheck.sh /app/healthcheck.sh
COPY model-store/models.json /app/model-store/models.json

# SINKSERVE_APP makes the launcher run the packaged jar and never try to rebuild.
# Weights are mmapped and KV caches live off heap, so the heap takes only half the container's memory.
# A container must listen on all its interfaces to be reached, and serve refuses that without an API key unless
# told it may: here the published port decides who can connect. Set SINKSERVE_API_KEYS to require keys.
ENV SINKSERVE_APP=/app/quarkus-app/quarkus-run.jar \
    SINKSERVE_MODEL_STORE=/models \
    SINKSERVE_JAVA_OPTS="-XX:MaxRAMPercentage=50 -XX:+ExitOnOutOfMemoryError" \
    QUARKUS_HTTP_HOST=0.0.0.0 \
    QUARKUS_HTTP_PORT=8080 \
    SINKSERVE_API_ALLOW_UNAUTHENTICATED=true
VOLUME ["/models"]
EXPOSE 8080
USER 10001
HEALTHCHECK --interval=15s --timeout=6s --start-period=120s --retries=3 CMD ["/app/healthcheck.sh"]
ENTRYPOINT ["/app/sinkserve"]
CMD ["serve"]
