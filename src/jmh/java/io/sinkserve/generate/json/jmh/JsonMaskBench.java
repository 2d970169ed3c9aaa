package io.sinkserve.generate.json.jmh;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sinkserve.generate.json.JsonConstraint;
import io.sinkserve.generate.json.JsonGrammar;
import io.sinkserve.generate.json.TokenBytes;
import io.sinkserve.gguf.GGUFFile;
import io.sinkserve.tokenizer.Tokenizer;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The per-token cost of constrained decoding on Llama 3's 128k vocabulary: one operation is a whole
 * generation of a realistic document (a fresh {@link JsonConstraint}, then mask + accept for each of
 * its tokens, as the sampler does), so masks cached within a generation count as they would in
 * serving. The {@code tokens} counter is tokens per second; 1/tokens is the time per token.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class JsonMaskBench {
    /** A schema like the extraction schemas clients send (OpenAI strict mode style). */
    private static final String SCHEMA = """
            {"type":"object","additionalProperties":false,
             "properties":{
               "name":{"type":"string","minLength":1,"maxLength":40},
               "age":{"type":"integer","minimum":0,"maximum":150},
               "height_m":{"type":"number","exclusiveMinimum":0,"maximum":3},
               "email":{"type":["string","null"]},
               "role":{"enum":["admin","user","guest"]},
               "tags":{"type":"array","items":{"type":"string","maxLength":12},"minItems":1,"maxItems":4},
               "address":{"type":"object","additionalProperties":false,
                 "properties":{"city":{"type":"string"},"zip":{"type":"string","minLength":5,"maxLength":5}},
                 "required":["city","zip"]},
               "active":{"type":"boolean"}
             },
             "required":["name","age","role","tags","address","active"]}""";
    /** What a model would write for it: a valid instance, pretty-printed, with some free text. */
    private static final String DOCUMENT = """
            {
              "name": "Ada Lovelace, Countess of Lovelace",
              "age": 36,
              "height_m": 1.65,
              "email": "ada@analytical-engine.org",
              "role": "admin",
              "tags": ["mathematics", "poetry", "engines"],
              "address": {"city": "London, St James's Square", "zip": "SW1Y4"},
              "active": false
            }""";

    @Param({"json_object", "schema"})
    public String grammar;

    @Param({"model-store/vocab-only/ggml-vocab-llama-bpe.gguf"})
    public String vocab;

    private Tokenizer tokenizer;
    private TokenBytes tokens;
    private JsonGrammar compiled;
    private int[] document;
    private float[] logits;

    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Tokens {
        public long tokens;
    }

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        try (GGUFFile gguf = GGUFFile.open(Path.of(vocab))) {
            tokenizer = Tokenizer.fromGGUF(gguf.metadata());
        }
        tokens = TokenBytes.of(tokenizer);
        compiled = grammar.equals("schema") ? JsonGrammar.fromSchema(new ObjectMapper().readTree(SCHEMA)) : JsonGrammar.anyObject();
        document = tokenizer.encode(DOCUMENT, false, false);
        logits = new float[tokenizer.vocabSize()];
    }

    @Benchmark
    public boolean generation(Tokens counter, Blackhole sink) {
        JsonConstraint constraint = new JsonConstraint(compiled, tokens, tokenizer::isEndOfGeneration);
        for (int token : document) {
            constraint.mask(logits);
            sink.consume(logits);
            constraint.accept(token);
        }
        counter.tokens += document.length;
        return constraint.isComplete();
    }
}
