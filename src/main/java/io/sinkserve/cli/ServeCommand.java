package io.sinkserve.cli;

import io.sinkserve.api.StartupCheck;
import io.smallrye.config.ConfigValidationException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * {@code serve}: checks the flags and the configuration they produce, then leaves the start of the HTTP service
 * to {@link Main}. Each flag sets one configuration key; Main makes them system properties, which Quarkus ranks
 * above environment variables and application.properties.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Run the HTTP service: the OpenAI-compatible API, sessions, health and metrics.",
                "Each option sets the configuration key named in its description, which can also be set by the "
                        + "environment variable shown there, a -D option in SINKSERVE_JAVA_OPTS or "
                        + "application.properties; the option wins over all of them. Keys without an option are "
                        + "set with --config; README.md (Configuration) lists every key."})
public final class ServeCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, paramLabel = "FILE", description = "GGUF file to serve (sinkserve.model, "
            + "env SINKSERVE_MODEL). Default: the default entry of model-store/models.json, in the model store.")
    Path model;

    @Option(names = "--model-name", paramLabel = "NAME", description = "The id clients send as \"model\" "
            + "(sinkserve.model-name, env SINKSERVE_MODEL_NAME). Default: the manifest entry's name, else the "
            + "file name without .gguf.")
    String modelName;

    @Option(names = "--host", paramLabel = "ADDRESS", description = "Address to listen on (quarkus.http.host, env "
            + "QUARKUS_HTTP_HOST). Default: 127.0.0.1. Another address needs an API key or --allow-unauthenticated.")
    String host;

    @Option(names = "--port", paramLabel = "PORT", description = "HTTP port (quarkus.http.port, env "
            + "QUARKUS_HTTP_PORT). Default: 8080.")
    Integer port;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Compute threads (sinkserve.threads, env "
            + "SINKSERVE_THREADS). Default: 0, one per available processor.")
    Integer threads;

    @Option(names = "--sinks", paramLabel = "N", description = "Attention-sink tokens kept at the start of every "
            + "session's cache (sinkserve.cache.sinks, env SINKSERVE_CACHE_SINKS). Default: 4.")
    Integer sinks;

    @Option(names = "--window", paramLabel = "N", description = "Rolling-window tokens of every session's cache "
            + "(sinkserve.cache.window, env SINKSERVE_CACHE_WINDOW). Default: the model's context length minus "
            + "the sinks, at most 2048.")
    Integer window;

    @Option(names = "--policy", paramLabel = "POLICY", description = "Eviction policy, token (one token per new "
            + "token) or batch (a block at once) (sinkserve.cache.policy, env SINKSERVE_CACHE_POLICY). "
            + "Default: token.")
    String policy;

    @Option(names = "--kv-storage", paramLabel = "TYPE", description = "KV cache entries, f32 or f16 "
            + "(sinkserve.cache.kv-storage, env SINKSERVE_CACHE_KV_STORAGE). Default: f32.")
    String kvStorage;

    @Option(names = "--max-running", paramLabel = "N", description = "Sequences decoded together in one batch "
            + "(sinkserve.limits.max-running, env SINKSERVE_LIMITS_MAX_RUNNING). Default: 8.")
    Integer maxRunning;

    @Option(names = "--api-key", paramLabel = "KEY", description = "An accepted Bearer key; repeat for several "
            + "(sinkserve.api.keys, env SINKSERVE_API_KEYS, comma-separated). Default: none, so no authentication.")
    List<String> apiKeys;

    @Option(names = "--api-keys-file", paramLabel = "FILE", description = "A file with one accepted key per line "
            + "(sinkserve.api.keys-file, env SINKSERVE_API_KEYS_FILE).")
    Path apiKeysFile;

    @Option(names = "--allow-unauthenticated", description = "Serve a non-loopback address with no API key, which "
            + "is refused otherwise (sinkserve.api.allow-unauthenticated, env SINKSERVE_API_ALLOW_UNAUTHENTICATED).")
    boolean allowUnauthenticated;

    @Option(names = "--chat-template", paramLabel = "NAME|FILE", description = "Chat template: chatml, llama2, "
            + "llama3, phi3, plain or a Jinja file (sinkserve.chat-template, env SINKSERVE_CHAT_TEMPLATE). "
            + "Default: the manifest entry's, else the GGUF's own, else a built-in fallback.")
    String chatTemplate;

    @Option(names = "--config", paramLabel = "KEY=VALUE", description = "Sets any other configuration key, "
            + "e.g. --config sinkserve.limits.max-waiting=64; repeatable. The options above win over it.")
    Map<String, String> config;

    private Map<String, String> checked;

    /** The command line with one-line errors: picocli's default prints the whole usage after a bad flag. */
    static CommandLine commandLine(ServeCommand command) {
        return new CommandLine(command)
                .setParameterExceptionHandler(ServeCommand::badArguments)
                .setExecutionExceptionHandler(new CliErrorHandler());
    }

    private static int badArguments(CommandLine.ParameterException ex, String[] args) {
        PrintWriter err = ex.getCommandLine().getErr();
        err.println("sinkserve serve: " + ex.getMessage() + " (./sinkserve serve --help lists the options)");
        return ex.getCommandLine().getCommandSpec().exitCodeOnInvalidInput();
    }

    @Override
    public Integer call() {
        Map<String, String> settings = settings();
        try {
            EffectiveConfig effective = new EffectiveConfig(settings);
            StartupCheck.verify(effective.sinkserve(), effective.host());
        } catch (ConfigValidationException e) {
            // SmallRye prefixes each problem with the converter's exception class, which tells a user nothing.
            throw new IllegalArgumentException(IntStream.range(0, e.getProblemCount())
                    .mapToObj(i -> e.getProblem(i).getMessage().replaceFirst("^[\\w.]+Exception: ", ""))
                    .collect(Collectors.joining("; ")), e);
        }
        checked = settings;
        return 0;
    }

    /**
     * The flags' settings once they and the configuration they produce passed, for Main to make system
     * properties before it starts Quarkus; null when the server must not start (a failure, --help).
     */
    Map<String, String> checkedSettings() {
        return checked;
    }

    /** Configuration key → value for every flag given; --config entries first, so the named flags win. */
    Map<String, String> settings() {
        Map<String, String> s = new LinkedHashMap<>();
        if (config != null) {
            s.putAll(config);
        }
        put(s, "sinkserve.model", model);
        put(s, "sinkserve.model-name", modelName);
        put(s, "quarkus.http.host", host);
        if (port != null && (port < 0 || port > 65535)) {
            throw new IllegalArgumentException("--port must be between 0 and 65535, got " + port);
        }
        put(s, "quarkus.http.port", port);
        put(s, "sinkserve.threads", threads);
        put(s, "sinkserve.cache.sinks", sinks);
        put(s, "sinkserve.cache.window", window);
        put(s, "sinkserve.cache.policy", policy);
        put(s, "sinkserve.cache.kv-storage", kvStorage);
        put(s, "sinkserve.limits.max-running", maxRunning);
        if (apiKeys != null) {
            // SmallRye splits list values on commas; a comma inside a key is escaped to stay part of it.
            s.put("sinkserve.api.keys", apiKeys.stream().map(k -> k.replace(",", "\\,")).collect(Collectors.joining(",")));
        }
        put(s, "sinkserve.api.keys-file", apiKeysFile);
        if (allowUnauthenticated) {
            s.put("sinkserve.api.allow-unauthenticated", "true");
        }
        put(s, "sinkserve.chat-template", chatTemplate);
        return s;
    }

    private static void put(Map<String, String> settings, String key, Object value) {
        if (value != null) {
            settings.put(key, value.toString());
        }
    }
}
