package io.sinkserve.model;

import io.sinkserve.cache.CacheConfig;
import io.sinkserve.cache.SinkCache;
import io.sinkserve.compute.ComputePool;
import io.sinkserve.gguf.GGUFFile;
import io.sinkserve.tokenizer.ChatTemplate;
import io.sinkserve.tokenizer.Tokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * A loaded model: immutable weights over the mapped GGUF file, its tokenizer, and one forward pass with
 * preallocated buffers. Forward calls are serialised (one at a time per model); many sequences share one
 * step through {@link #decode}. A sequence's state changes only through this model.
 */
public final class Model implements AutoCloseable {
    /** Token rows per forward pass: prefill chunks and decode batches are cut to this size. */
    public static final int MAX_BATCH_ROWS = 128;

    private final ModelConfig config;
    private final Tokenizer tokenizer;
    private final ChatTemplate chatTemplate;
    private final GGUFFile file;
    private final ComputePool pool;
    private final ForwardPass pass;

    Model(ModelConfig config, Weights weights, Tokenizer tokenizer, ChatTemplate chatTemplate, GGUFFile file, int threads) {
        this.config = config;
        this.tokenizer = tokenizer;
        this.chatTemplate = chatTemplate;
        this.file = file;
        this.pool = new ComputePool(threads > 0 ? threads : ComputePool.defaultThreads());
        this.pass = new ForwardPass(config, weights, pool, MAX_BATCH_ROWS);
    }

    /**
     * Maps a GGUF model and binds its weights in place. An unsupported architecture, tensor type or rope
     * scaling, or a missing or misshapen tensor, fails here with a GGUFException naming the file and problem.
     * {@code threads <= 0} means one per core.
     */
    public static Model load(Path gguf, int threads) {
        GGUFFile file = GGUFFile.open(gguf);
        try {
            ModelConfig config = ModelConfig.from(file);
            Weights weights = Weights.bind(file, config);
            return new Model(config, weights, Tokenizer.fromGGUF(file.metadata()), ChatTemplate.fromGGUF(file.metadata()), file, threads);
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    public ModelConfig config() {
        return config;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** The file's {@code tokenizer.chat_template}, else a built-in fallback that fits the vocabulary. */
    public ChatTemplate chatTemplate() {
        return chatTemplate;
    }

    /** The GGUF file the weights are mapped from. */
    public GGUFFile file() {
        return file;
    }

    public int threads() {
        return pool.threads();
    }

    /** Off-heap bytes one sequence's cache takes with this model and {@code cache}. */
    public long cacheBytes(CacheConfig cache) {
        return cache.bytes(config.layers(), config.kvHeads(), config.headDim());
    }

    /** A new, empty sequence with its own cache (close it to free the cache memory). */
    public CachedSequence newSequence(CacheConfig cache) {
        return new CachedSequence(new SinkCache(cache, config.layers(), config.kvHeads(), config.headDim()));
    }

    /** A sequence from {@link CachedSequence#writeSnapshot}; its cache must fit this model's shape. */
    public CachedSequence readSequence(InputStream in) throws IOException {
        CachedSequence s = CachedSequence.readSnapshot(in);
        SinkCache c = s.cache();
        if (c.layers() != config.layers() || c.kvHeads() != config.kvHeads() || c.headDim() != config.headDim()) {
            s.close();
            throw new IOException("the snapshot's cache (" + c.layers() + " layers, " + c.kvHeads() + " KV heads of "
                    + c.headDim() + ") does not fit this model");
        }
        return s;
    }

    /**
     * Feeds {@code tokens} to the sequence in chunks (a prompt longer than the whole cache works; evictions
     * happen between and within chunks exactly as when feeding token by token) and returns the next-token
     * logits after the last one, in a new array.
     */
    public synchronized float[] prefill(CachedSequence seq, int[] tokens) {
        check(seq, tokens);
        if (tokens.length == 0) {
            throw new IllegalArgumentException("prefill needs at least one token");
        }
        seq.cache().ensureRoom(tokens.length);
        for (int off = 0; off < tokens.length; off += MAX_BATCH_ROWS) {
            int n = Math.min(MAX_BATCH_ROWS, tokens.length - off);
            pass.begin();
            pass.addGroup(seq, tokens, off, n);
            pass.run();
        }
        pass.logits(pass.rows() - 1, 1);
        return Arrays.copyOf(pass.logitsBuffer(), config.vocab());
    }

    /** Like {@link #prefill} but hands the logits after every token to {@code sink} (index = token index); for perplexity. */
    public synchronized void forwardAll(CachedSequence seq, int[] tokens, LogitsConsumer sink) {
        check(seq, tokens);
        seq.cache().ensureRoom(tokens.length);
        for (int off = 0; off < tokens.length; off += MAX_BATCH_ROWS) {
            int n = Math.min(MAX_BATCH_ROWS, tokens.length - off);
            pass.begin();
            pass.addGroup(seq, tokens, off, n);
            pass.run();
            pass.logits(0, n);
            for (int i = 0; i < n; i++) {
                sink.accept(off + i, pass.logitsBuffer(), i * config.vocab());
            }
        }
    }

    /**
     * One decode step for many sequences at once (continuous batching): {@code tokens[i]} is fed to
     * {@code seqs.get(i)}, each weight matrix is read once per up to {@value #MAX_BATCH_ROWS} sequences, and
     * the logits for sequence i go to {@code sink} with index i. Allocates nothing.
     */
    public synchronized void decode(List<CachedSequence> seqs, int[] tokens, LogitsConsumer sink) {
        if (seqs.size() != tokens.length) {
            throw new IllegalArgumentException(seqs.size() + " sequences but " + tokens.length + " tokens");
        }
        checkDistinct(seqs);
        for (int i = 0; i < tokens.length; i++) {
            check(seqs.get(i), tokens[i]);
            seqs.get(i).cache().ensureRoom(1);
        }
        for (int off = 0; off < tokens.length; off += MAX_BATCH_ROWS) {
            int n = Math.min(MAX_BATCH_ROWS, tokens.length - off);
            pass.begin();
            for (int i = 0; i < n; i++) {
                pass.addGroup(seqs.get(off + i), tokens, off + i, 1);
            }
            pass.run();
            pass.logits(0, n);
            for (int i = 0; i < n; i++) {
                sink.accept(off + i, pass.logitsBuffer(), i * config.vocab());
            }
        }
    }

    /** {@link #decode(List, int[], LogitsConsumer)} returning a new logits array per sequence. */
    public float[][] decode(List<CachedSequence> seqs, int[] tokens) {
        float[][] out = new float[tokens.length][];
        decode(seqs, tokens, (i, logits, offset) -> out[i] = Arrays.copyOfRange(logits, offset, offset + config.vocab()));
        return out;
    }

    private void check(CachedSequence seq, int[] tokens) {
        for (int t : tokens) {
            check(seq, t);
        }
    }

    private void check(CachedSequence seq, int token) {
        if (token < 0 || token >= config.vocab()) {
            throw new IllegalArgumentException("token id " + token + " is outside the vocabulary (0.." + (config.vocab() - 1) + ")");
        }
        SinkCache c = seq.cache();
        if (c.layers() != config.layers() || c.kvHeads() != config.kvHeads() || c.headDim() != config.headDim()) {
            throw new IllegalArgumentException("the sequence was made for another model shape");
        }
    }

    private static void checkDistinct(List<CachedSequence> seqs) {
        for (int i = 0; i < seqs.size(); i++) {
            for (int j = 0; j < i; j++) {
                if (seqs.get(i) == seqs.get(j)) {
                    throw new IllegalArgumentException("a sequence appears twice in one decode step");
                }
            }
        }
    }

    @Override
    public void close() {
        pool.close();
        if (file != null) {
            file.close();
        }
    }
}
