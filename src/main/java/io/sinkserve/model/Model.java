package io.sinkserve.model;

import io.sinkserve.cache.CacheConfig;
import io.sinkserve.cache.SinkCache;
import io.sinkserve.compute.ComputePool;
import io.sinkserve.compute.MatMul;
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
    // step bookkeeping, reused: forward calls are serialised
    private final StepBatch single = new StepBatch();
    private final int[] logitRows = new int[MAX_BATCH_ROWS];
    private final int[] logitGroups = new int[MAX_BATCH_ROWS];
    private int[] order = new int[0];
    private int[] fed = new int[0];
    private boolean[] perToken = new boolean[0];

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
     * Feeds {@code tokens} to the sequence (a prompt longer than the whole cache works; evictions happen
     * between and within passes exactly as when feeding token by token) and returns the next-token logits
     * after the last one, in a new array.
     */
    public synchronized float[] prefill(CachedSequence seq, int[] tokens) {
        single.clear();
        single.add(seq, tokens, 0, tokens.length, true);
        float[] out = new float[config.vocab()];
        run(single, (g, logits, offset) -> System.arraycopy(logits, offset, out, 0, out.length));
        return out;
    }

    /** Like {@link #prefill} but hands the logits after every token to {@code sink} (index = token index); for perplexity. */
    public synchronized void forwardAll(CachedSequence seq, int[] tokens, LogitsConsumer sink) {
        check(seq, tokens, 0, tokens.length);
        seq.cache().ensureRoom(tokens.length);
        for (int off = 0; off < tokens.length; off += MAX_BATCH_ROWS) {
            int n = Math.min(MAX_BATCH_ROWS, tokens.length - off);
            pass.begin();
            pass.addGroup(seq, tokens, off, n);
            int perToken = n <= MatMul.SMALL_BATCH ? n : 0;
            pass.run(perToken);
            for (int i = 0; i < n; i++) {
                logitRows[i] = i;
            }
            pass.logits(logitRows, n, perToken);
            for (int i = 0; i < n; i++) {
                sink.accept(off + i, pass.logitsBuffer(), i * config.vocab());
            }
        }
    }

    /**
     * One decode step for many sequences at once (continuous batching): {@code tokens[i]} is fed to
     * {@code seqs.get(i)} and the logits for sequence i go to {@code sink} with index i; see {@link #step}.
     */
    public synchronized void decode(List<CachedSequence> seqs, int[] tokens, LogitsConsumer sink) {
        if (seqs.size() != tokens.length) {
            throw new IllegalArgumentException(seqs.size() + " sequences but " + tokens.length + " tokens");
        }
        single.clear();
        for (int i = 0; i < tokens.length; i++) {
            single.add(seqs.get(i), tokens, i, 1, true);
        }
        run(single, sink);
    }

    /** {@link #decode(List, int[], LogitsConsumer)} returning a new logits array per sequence. */
    public float[][] decode(List<CachedSequence> seqs, int[] tokens) {
        float[][] out = new float[tokens.length][];
        decode(seqs, tokens, (i, logits, offset) -> out[i] = Arrays.copyOfRange(logits, offset, offset + config.vocab()));
        return out;
    }

    /**
     * Runs a scheduler step's groups (decode rows and prompt chunks of distinct sequences) through the model,
     * each weight matrix read once per pass of up to {@value #MAX_BATCH_ROWS} rows, and leaves each group's
     * logits in {@code batch} if it asked for them. A group's rows get the bits they get in a step of their
     * own: a group of up to {@code MatMul.SMALL_BATCH} tokens takes the per-token kernels and a longer one the
     * GEMM, except that a step of more than {@code SMALL_BATCH} single-token groups (more than that many
     * sequences decoded together) runs them through the GEMM as well, for speed. Logits rows take the
     * per-token kernels likewise.
     */
    public synchronized void step(StepBatch batch) {
        run(batch, (g, logits, offset) -> System.arraycopy(logits, offset, batch.logitsTarget(g, config.vocab()), 0,
                config.vocab()));
    }

    private void run(StepBatch b, LogitsConsumer sink) {
        int groups = b.groups();
        int singles = 0;
        for (int g = 0; g < groups; g++) {
            check((CachedSequence) b.sequence(g), b.tokens(g), b.offset(g), b.count(g));
            singles += b.count(g) == 1 ? 1 : 0;
        }
        for (int g = 0; g < groups; g++) {
            ((CachedSequence) b.sequence(g)).cache().ensureRoom(b.count(g));
        }
        boolean singlesPerToken = singles <= MatMul.SMALL_BATCH;
        if (order.length < groups) {
            order = new int[groups];
            fed = new int[groups];
            perToken = new boolean[groups];
        }
        int k = 0;
        for (int g = 0; g < groups; g++) {
            perToken[g] = b.count(g) == 1 ? singlesPerToken : b.count(g) <= MatMul.SMALL_BATCH;
            fed[g] = 0;
            if (perToken[g]) {
                order[k++] = g;
            }
        }
        for (int g = 0; g < groups; g++) {
            if (!perToken[g]) {
                order[k++] = g;
            }
        }
        // per-token rows first in every pass; a group cut across passes continues at the start of the next
        for (int first = 0; first < groups; ) {
            pass.begin();
            int perTokenRows = 0;
            int logitsAlone = 0;
            int logitsTotal = 0;
            for (int i = first; i < groups && pass.rows() < MAX_BATCH_ROWS; i++) {
                int g = order[i];
                int n = Math.min(b.count(g) - fed[g], MAX_BATCH_ROWS - pass.rows());
                pass.addGroup((CachedSequence) b.sequence(g), b.tokens(g), b.offset(g) + fed[g], n);
                fed[g] += n;
                perTokenRows += perToken[g] ? n : 0;
                if (fed[g] == b.count(g) && b.wantsLogits(g)) {
                    logitGroups[logitsTotal] = g;
                    logitRows[logitsTotal++] = pass.rows() - 1;
                    // a prompt's last row alone would be one token: the per-token kernels, like a decode row
                    logitsAlone += perToken[g] || b.count(g) > 1 ? 1 : 0;
                }
            }
            while (first < groups && fed[order[first]] == b.count(order[first])) {
                first++;
            }
            pass.run(perTokenRows);
            if (logitsTotal > 0) {
                sortPerTokenFirst(b, logitsTotal);
                pass.logits(logitRows, logitsTotal, logitsAlone);
                for (int i = 0; i < logitsTotal; i++) {
                    sink.accept(logitGroups[i], pass.logitsBuffer(), i * config.vocab());
                }
            }
        }
    }

    /** Orders the pass's logits rows so that those taking the per-token kernels come first (stable). */
    private void sortPerTokenFirst(StepBatch b, int n) {
        int k = 0;
        for (int i = 0; i < n; i++) {
            int g = logitGroups[i];
            if (perToken[g] || b.count(g) > 1) {
                int row = logitRows[i];
                System.arraycopy(logitGroups, k, logitGroups, k + 1, i - k);
                System.arraycopy(logitRows, k, logitRows, k + 1, i - k);
                logitGroups[k] = g;
                logitRows[k++] = row;
            }
        }
    }

    private void check(CachedSequence seq, int[] tokens, int off, int n) {
        SinkCache c = seq.cache();
        if (c.layers() != config.layers() || c.kvHeads() != config.kvHeads() || c.headDim() != config.headDim()) {
            throw new IllegalArgumentException("the sequence was made for another model shape");
        }
        for (int i = off; i < off + n; i++) {
            if (tokens[i] < 0 || tokens[i] >= config.vocab()) {
                throw new IllegalArgumentException("token id " + tokens[i] + " is outside the vocabulary (0.."
                        + (config.vocab() - 1) + ")");
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
