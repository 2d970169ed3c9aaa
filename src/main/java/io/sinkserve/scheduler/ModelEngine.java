package io.sinkserve.scheduler;

import io.sinkserve.cache.CacheConfig;
import io.sinkserve.cache.CacheStats;
import io.sinkserve.cache.EvictionListener;
import io.sinkserve.cache.SinkCache;
import io.sinkserve.generate.TokenMask;
import io.sinkserve.generate.json.JsonConstraint;
import io.sinkserve.generate.json.JsonGrammar;
import io.sinkserve.generate.json.TokenBytes;
import io.sinkserve.model.LogitsSink;
import io.sinkserve.model.Model;
import io.sinkserve.model.Sequence;
import io.sinkserve.tokenizer.ChatMessage;
import io.sinkserve.tokenizer.ChatTemplate;
import io.sinkserve.tokenizer.StreamingDecoder;
import io.sinkserve.tokenizer.TemplateException;
import io.sinkserve.tokenizer.Tokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.ArrayList;
import java.util.List;

/** The {@link Engine} over a loaded {@link Model}, its tokenizer and chat template. */
public final class ModelEngine implements Engine, AutoCloseable {
    private final Model model;
    private final String name;
    private final Tokenizer tokenizer;
    private final ChatTemplate template;
    private final int vocab;
    private volatile TokenBytes tokenBytes;   // built on the first structured-output request
    // decode-step scratch, reused: only the scheduler's worker thread decodes
    private final List<Sequence> batch = new ArrayList<>();
    private final List<float[]> logits = new ArrayList<>();
    private float[][] logitsView = new float[0][];
    private final LogitsSink copyLogits = (i, buffer, offset) -> System.arraycopy(buffer, offset, logitsView[i], 0, logitsView[i].length);

    public ModelEngine(Model model, String name, ChatTemplate template) {
        this.model = model;
        this.name = name;
        this.tokenizer = model.tokenizer();
        this.template = template;
        this.vocab = model.config().vocab();
    }

    public static ModelEngine load(Path gguf, String name, int threads) {
        return load(gguf, name, threads, Optional.empty());
    }

    /**
     * @param chatTemplate a built-in template name or a Jinja file replacing the model's own template
     */
    public static ModelEngine load(Path gguf, String name, int threads, Optional<String> chatTemplate) {
        Model model = Model.load(gguf, threads);
        try {
            return new ModelEngine(model, name, chatTemplate.map(t -> template(t, model.tokenizer()))
                    .orElseGet(() -> ChatTemplate.fromGGUF(model.file().metadata())));
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    private static ChatTemplate template(String nameOrFile, Tokenizer tok) {
        if (ChatTemplate.FALLBACKS.contains(nameOrFile)) {
            return ChatTemplate.named(nameOrFile);
        }
        try {
            return ChatTemplate.ofSource(Files.readString(Path.of(nameOrFile)), tok.tokenText(tok.bos()),
                    tok.tokenText(tok.eos()));
        } catch (IOException e) {
            throw new IllegalArgumentException("chat template '" + nameOrFile + "' is neither a built-in ("
                    + String.join(", ", ChatTemplate.FALLBACKS) + ") nor a readable file: " + e.getMessage(), e);
        }
    }

    @Override
    public String modelName() {
        return name;
    }

    @Override
    public int vocabSize() {
        return vocab;
    }

    @Override
    public int contextLength() {
        return model.config().contextLength();
    }

    /** The chat template's name ("gguf" for the model's own). */
    public String templateName() {
        return template.name();
    }

    @Override
    public int[] renderChat(List<ChatMessage> messages, boolean addGenerationPrompt) {
        try {
            return template.renderTokens(messages, addGenerationPrompt, tokenizer);
        } catch (TemplateException e) {
            throw new PromptRejectedException(e.getMessage(), e);
        }
    }

    @Override
    public int[] encode(String text) {
        return tokenizer.encode(text, tokenizer.addBosByDefault(), false);
    }

    @Override
    public EngineSequence newSequence(CacheConfig config) {
        return new ModelSequence(model.newSequence(config));
    }

    @Override
    public EngineSequence readSequence(InputStream in) throws IOException {
        return new ModelSequence(model.readSequence(in));
    }

    @Override
    public float[] prefill(EngineSequence sequence, int[] tokens) {
        return model.prefill(((ModelSequence) sequence).sequence, tokens);
    }

    /** The returned rows are reused by the next call; the scheduler samples from them before decoding again. */
    @Override
    public float[][] decode(List<EngineSequence> sequences, int[] tokens) {
        batch.clear();
        for (EngineSequence s : sequences) {
            batch.add(((ModelSequence) s).sequence);
        }
        while (logits.size() < sequences.size()) {
            logits.add(new float[vocab]);
        }
        if (logitsView.length != sequences.size()) {
            logitsView = logits.subList(0, sequences.size()).toArray(float[][]::new);
        }
        model.decode(batch, tokens, copyLogits);
        return logitsView;
    }

    @Override
    public TextDecoder newDecoder() {
        StreamingDecoder d = tokenizer.newDecoder();
        return new TextDecoder() {
            @Override
            public String push(int token) {
                return d.push(token);
            }

            @Override
            public String flush() {
                return d.flush();
            }
        };
    }

    @Override
    public byte[] tokenBytes(int token) {
        return tokenizer.piece(token);
    }

    @Override
    public boolean isEndOfGeneration(int token) {
        return tokenizer.isEndOfGeneration(token);
    }

    @Override
    public TokenMask jsonMask(JsonGrammar grammar) {
        if (tokenBytes == null) {
            synchronized (this) {
                if (tokenBytes == null) {
                    tokenBytes = TokenBytes.of(tokenizer);
                }
            }
        }
        return new JsonConstraint(grammar, tokenBytes, tokenizer::isEndOfGeneration);
    }

    @Override
    public void close() {
        model.close();
    }

    private static final class ModelSequence implements EngineSequence {
        private final Sequence sequence;

        ModelSequence(Sequence sequence) {
            this.sequence = sequence;
        }

        @Override
        public CacheConfig config() {
            return sequence.cache().config();
        }

        @Override
        public boolean isPrefixOf(int[] prompt) {
            return sequence.isPrefixOf(prompt);
        }

        @Override
        public long heapBytes() {
            return sequence.heapBytes();
        }

        @Override
        public int[] recentTokens(int n) {
            return sequence.recentTokens(n);
        }

        @Override
        public CacheStats stats() {
            SinkCache c = sequence.cache();
            return new CacheStats(c.capacity(), c.size(), c.tokensSeen(), c.evictions(), c.evictedTokens(), c.bytes());
        }

        @Override
        public void checkpoint() {
            sequence.checkpoint();
        }

        @Override
        public void commit() {
            sequence.commit();
        }

        @Override
        public void rollback() {
            sequence.rollback();
        }

        @Override
        public void setEvictionListener(EvictionListener listener) {
            sequence.cache().setListener(listener);
        }

        @Override
        public void writeSnapshot(OutputStream out) throws IOException {
            sequence.writeSnapshot(out);
        }

        @Override
        public void close() {
            sequence.close();
        }
    }
}
