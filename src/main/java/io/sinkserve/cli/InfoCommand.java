package io.sinkserve.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.sinkserve.cache.CacheConfig;
import io.sinkserve.gguf.GGUFFile;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.StringJoiner;
import java.util.concurrent.Callable;

/** {@code info}: what a GGUF file holds, without loading the model. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Describe a GGUF model: architecture, shapes, tensor types, tokenizer, chat template, context, and "
                + "the KV cache memory one session takes.")
public final class InfoCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "GGUF file")
    Path model;

    @Option(names = "--json", description = "print JSON instead of text")
    boolean json;

    @Option(names = "--sinks", defaultValue = "" + CacheConfig.DEFAULT_SINKS, description = "attention sinks of the cache (default: ${DEFAULT-VALUE})")
    int sinks;

    @Option(names = "--window", description = "rolling window of the cache (default: as serve picks it: the context"
            + " length minus the sinks, at most " + CacheConfig.MAX_DEFAULT_WINDOW + ")")
    Integer window;

    @Override
    public Integer call() throws Exception {
        ModelInfo info;
        try (GGUFFile f = GGUFFile.open(model)) {
            info = ModelInfo.of(f, Files.size(model), sinks, window);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(info));
        } else {
            print(info, out);
        }
        out.flush();
        return 0;
    }

    static void print(ModelInfo i, PrintWriter out) {
        ModelInfo.FileFacts f = i.file();
        row(out, "file", f.path() + " (" + bytes(f.bytes()) + "), GGUF v" + f.version() + ", alignment "
                + f.alignment() + (f.dataOffset() == null ? "" : ", tensor data at offset " + f.dataOffset()));
        row(out, "architecture", or(i.architecture()) + (i.fileType() == null ? "" : ", file type " + i.fileType()));
        row(out, "name", or(i.name()));
        ModelInfo.Shape s = i.shape();
        row(out, "shape", "dim " + or(s.dim()) + ", layers " + or(s.layers()) + ", heads " + or(s.heads())
                + " / kv heads " + or(s.kvHeads()) + ", head dim " + or(s.headDim()) + ", ffn " + or(s.ffn())
                + ", vocab " + or(s.vocab()));
        row(out, "context", s.contextLength() == null ? "-" : s.contextLength() + " tokens (trained)");
        ModelInfo.Rope r = i.rope();
        row(out, "rope", "base " + (r.base() == null ? "- (llama.cpp default 10000)" : number(r.base()))
                + ", dims " + or(r.dimensions()) + ", scaling " + r.scaling()
                + (r.factor() == null ? "" : " factor " + number(r.factor()))
                + (r.originalContextLength() == null ? "" : ", original context " + r.originalContextLength()));
        ModelInfo.Tensors t = i.tensors();
        StringJoiner types = new StringJoiner(", ");
        t.types().forEach((type, n) -> types.add(type + " x" + n));
        row(out, "tensors", t.count() == 0 ? "none (vocab-only file)"
                : t.count() + " (" + types + "), " + bytes(t.weightBytes()) + " of weights, "
                + String.format(Locale.ROOT, "%,d", t.parameters()) + " parameters");
        ModelInfo.TokenizerFacts k = i.tokenizer();
        row(out, "tokenizer", or(k.model()) + ", pre " + or(k.pre()) + ", " + or(k.vocabSize()) + " tokens, bos "
                + or(k.bos()) + ", eos " + or(k.eos()) + ", eot " + or(k.eot()) + ", unk " + or(k.unknown())
                + ", pad " + or(k.padding()) + ", add_bos " + or(k.addBos()));
        ModelInfo.Template c = i.chatTemplate();
        row(out, "chat template", c.present() ? c.length() + " chars, starts: " + c.firstLine() : "none");
        ModelInfo.KvCache kv = i.kvCache();
        row(out, "kv cache", kv == null ? "- (no layer shape in the metadata)"
                : kv.sinks() + " sinks + " + kv.window() + " window = " + kv.capacity() + " tokens per session: "
                + bytes(kv.bytesF32()) + " as F32, " + bytes(kv.bytesF16()) + " as F16");
    }

    private static void row(PrintWriter out, String label, String value) {
        out.printf("%-14s %s%n", label, value);
    }

    private static String or(Object v) {
        return v == null ? "-" : v.toString();
    }

    private static String number(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }

    static String bytes(long b) {
        if (b < 1024) {
            return b + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = b;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.2f %s", v, units[u]);
    }
}
