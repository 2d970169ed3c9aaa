package io.sinkserve.cli;

import io.sinkserve.store.HttpDownloader;
import io.sinkserve.store.ModelEntry;
import io.sinkserve.store.ModelManifest;
import io.sinkserve.store.ModelPuller;
import io.sinkserve.store.ProgressBar;
import io.sinkserve.store.PullResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code pull}: downloads a model named in models.json into the model store and verifies its sha256. */
@Command(name = "pull", mixinStandardHelpOptions = true,
        description = {"Download a model listed in model-store/models.json into the model store.",
                "Resumes an interrupted download and shows progress on stderr.",
                "Installs the file only when its sha256 matches the manifest; a mismatch is refused and discarded."})
public final class PullCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "Model name from models.json (default: the default model).")
    String name;

    @Option(names = "--list", description = "List the models in the manifest and whether they are in the store.")
    boolean list;

    @Option(names = "--manifest", paramLabel = "FILE", description = "Model manifest (default: ${DEFAULT-VALUE}).")
    Path manifest = ModelManifest.DEFAULT_PATH;

    @Option(names = "--store", paramLabel = "DIR",
            description = "Model store directory (default: sinkserve.model-store / SINKSERVE_MODEL_STORE, else model-store).")
    Path store;

    @Option(names = "--url", paramLabel = "URL", description = "Download from this URL (a mirror) instead of the manifest's.")
    URI url;

    @Option(names = "--accept-unverified",
            description = "Install a model whose manifest entry has no sha256 (its computed digest is printed).")
    boolean acceptUnverified;

    @Override
    public Integer call() throws Exception {
        ModelManifest models = ModelManifest.load(manifest);
        ModelPuller puller = new ModelPuller(storeDir(), new HttpDownloader());
        PrintWriter out = spec.commandLine().getOut();
        if (list) {
            for (ModelEntry m : models.models()) {
                boolean present = puller.target(m).toFile().isFile();
                out.printf("%-24s %-8s %-10s %s%n", m.name(), m.isDefault() ? "default" : "",
                        present ? "present" : "-", m.sha256() == null ? "(no pinned sha256)" : m.description());
            }
            out.flush();
            return 0;
        }
        ModelEntry model = name == null ? models.defaultModel() : models.get(name);
        URI source = url != null ? url : URI.create(model.url());
        ProgressBar bar = new ProgressBar(System.err, System.console() != null, model.name());
        PullResult r = puller.pull(model, source, acceptUnverified, bar);
        String state = r.verified() ? "verified sha256 " + r.sha256() : "UNVERIFIED (no pinned digest), sha256 " + r.sha256();
        out.println(model.name() + ": " + (r.downloaded() ? "installed " : "already present ") + r.file() + ", " + state);
        out.flush();
        return 0;
    }

    private Path storeDir() {
        if (store != null) {
            return store;
        }
        String configured = System.getProperty("sinkserve.model-store", System.getenv("SINKSERVE_MODEL_STORE"));
        return Path.of(configured == null || configured.isBlank() ? "model-store" : configured);
    }
}
