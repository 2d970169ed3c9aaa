package io.sinkserve.model;

import io.sinkserve.cache.Admission;
import io.sinkserve.cache.Attention;
import io.sinkserve.cache.AttentionObserver;
import io.sinkserve.cache.Rope;
import io.sinkserve.cache.RopeTable;
import io.sinkserve.cache.SinkCache;
import io.sinkserve.compute.ComputePool;
import io.sinkserve.compute.FloatOps;
import io.sinkserve.compute.MatMul;

/**
 * The transformer forward pass (llama, qwen2), top to bottom, over a batch of token rows. Rows are grouped
 * by sequence, in stream order within a group: a prefill chunk is one group of many rows, a decode step
 * many groups of one row. Every weight matrix is read once per batch ({@link MatMul#matmul}); attention
 * runs per sequence and KV head, each row writing its key and value and then attending, so a chunk that
 * crosses an eviction sees exactly what token-by-token feeding would. All buffers are allocated here,
 * once: a step allocates nothing.
 */
final class ForwardPass {
    private final ModelConfig c;
    private final Weights w;
    private final ComputePool pool;
    private final MatMul mm;
    private final RopeTable positions;    // per row: rotation to its stream position
    private final RopeTable sinkShifts;   // per row: its query's move to its cache position, for the sinks
    private final int maxRows;

    // Row bookkeeping of the current batch.
    final int[] tokens;
    final Admission[] admissions;
    private final CachedSequence[] groupSequence;
    private final int[] groupStart;
    private int groups;
    private int rows;

    // Activations, row-major [row][width].
    private final float[] x;      // residual stream
    private final float[] xb;     // normalised input of a block
    private final float[] xb2;    // block output before the residual add
    private final float[] q;
    private final float[] k;
    private final float[] v;
    private final float[] att;    // attention output of all heads
    private final float[] hb;     // FFN gate
    private final float[] hb2;    // FFN up
    private float[] logits = new float[0];

    private final Attention[] attention;   // one per worker thread
    private final ComputePool.RangeTask attentionTask = this::attendUnits;
    private int layer;

    ForwardPass(ModelConfig c, Weights w, ComputePool pool, int maxRows) {
        this.c = c;
        this.w = w;
        this.pool = pool;
        this.mm = new MatMul(pool);
        Rope rope = c.rope();
        this.positions = new RopeTable(rope, maxRows);
        this.sinkShifts = new RopeTable(rope, maxRows);
        this.maxRows = maxRows;
        this.tokens = new int[maxRows];
        this.admissions = new Admission[maxRows];
        for (int i = 0; i < maxRows; i++) {
            admissions[i] = new Admission();
        }
        this.groupSequence = new CachedSequence[maxRows];
        this.groupStart = new int[maxRows + 1];
        this.x = new float[maxRows * c.dim()];
        this.xb = new float[maxRows * c.dim()];
        this.xb2 = new float[maxRows * c.dim()];
        this.q = new float[maxRows * c.qDim()];
        this.k = new float[maxRows * c.kvDim()];
        this.v = new float[maxRows * c.kvDim()];
        this.att = new float[maxRows * c.qDim()];
        this.hb = new float[maxRows * c.ffnDim()];
        this.hb2 = new float[maxRows * c.ffnDim()];
        this.attention = new Attention[pool.threads()];
        for (int i = 0; i < attention.length; i++) {
            attention[i] = new Attention(rope);
        }
    }

    int maxRows() {
        return maxRows;
    }

    /** Starts a batch; then {@link #addGroup} per sequence, then {@link #run}. */
    void begin() {
        groups = 0;
        rows = 0;
        groupStart[0] = 0;
    }

    /** Adds the next {@code n} tokens of {@code seq} (from {@code src[off ..]}) and admits them to its cache. */
    void addGroup(CachedSequence seq, int[] src, int off, int n) {
        System.arraycopy(src, off, tokens, rows, n);
        seq.cache().admit(admissions, rows, n);
        seq.record(src, off, n);
        groupSequence[groups++] = seq;
        rows += n;
        groupStart[groups] = rows;
    }

    /**
     * Runs the batch through every layer, leaving the final residual stream in x. Rows [0, perTokenRows) take
     * the per-token kernels, the rest the GEMM (see {@link MatMul#matmul(io.sinkserve.compute.Matrix, float[], int, int, float[])}).
     */
    void run(int perTokenRows) {
        int p = perTokenRows;
        int n = rows;
        int dim = c.dim();
        int qDim = c.qDim();
        int kvDim = c.kvDim();
        int ffn = c.ffnDim();
        float eps = c.rmsEps();
        for (int i = 0; i < n; i++) {
            w.tokenEmbedding().dequantizeRow(tokens[i], x, i * dim);
            positions.set(i, admissions[i].position());
            sinkShifts.set(i, admissions[i].cachePosition() - admissions[i].position());
        }
        for (int l = 0; l < c.layers(); l++) {
            Weights.Layer L = w.layers()[l];

            // Attention block: xb = rmsnorm(x); x += Wo · attention(rope(Wq·xb + bq), rope(Wk·xb + bk), Wv·xb + bv)
            for (int i = 0; i < n; i++) {
                FloatOps.rmsnorm(xb, i * dim, x, i * dim, L.attnNorm(), dim, eps);
            }
            mm.matmul(L.wq(), xb, n, p, q);
            mm.matmul(L.wk(), xb, n, p, k);
            mm.matmul(L.wv(), xb, n, p, v);
            for (int i = 0; i < n; i++) {
                addBias(q, i * qDim, L.bq(), qDim);
                addBias(k, i * kvDim, L.bk(), kvDim);
                addBias(v, i * kvDim, L.bv(), kvDim);
                positions.rotate(q, i * qDim, c.heads(), i);
                positions.rotate(k, i * kvDim, c.kvHeads(), i);
            }
            layer = l;
            pool.run(groups * c.kvHeads(), 1, attentionTask);   // writes K/V to the caches, fills att
            mm.matmul(L.wo(), att, n, p, xb2);
            FloatOps.add(x, 0, xb2, 0, n * dim);

            // Feed-forward block: xb = rmsnorm(x); x += Wdown · (silu(Wgate·xb) * (Wup·xb))
            for (int i = 0; i < n; i++) {
                FloatOps.rmsnorm(xb, i * dim, x, i * dim, L.ffnNorm(), dim, eps);
            }
            mm.matmul(L.gate(), xb, n, p, hb);
            mm.matmul(L.up(), xb, n, p, hb2);
            FloatOps.siluMul(hb, hb2, 0, n * ffn);
            mm.matmul(L.down(), hb, n, p, xb2);
            FloatOps.add(x, 0, xb2, 0, n * dim);
        }
    }

    private static void addBias(float[] y, int off, float[] bias, int n) {
        if (bias != null) {
            FloatOps.add(y, off, bias, 0, n);
        }
    }

    /** Attention of one (sequence, KV head) unit per index: each row of the sequence, in order, writes then attends. */
    private void attendUnits(int from, int to, int worker) {
        int headDim = c.headDim();
        int qDim = c.qDim();
        int kvDim = c.kvDim();
        int perKv = c.heads() / c.kvHeads();
        Attention a = attention[worker];
        for (int u = from; u < to; u++) {
            int g = u / c.kvHeads();
            int kvHead = u % c.kvHeads();
            CachedSequence seq = groupSequence[g];
            SinkCache cache = seq.cache();
            AttentionObserver observer = seq.attentionObserver();
            for (int r = groupStart[g]; r < groupStart[g + 1]; r++) {
                Admission admission = admissions[r];
                int kv = r * kvDim + kvHead * headDim;
                int qh = r * qDim + kvHead * perKv * headDim;
                cache.write(layer, kvHead, admission.slot(), k, kv, v, kv);
                a.attend(cache, layer, admission, kvHead * perKv, perKv, kvHead, q, qh, att, qh, sinkShifts, r, observer);
            }
        }
    }

    /**
     * Logits of the last batch's rows {@code rows[0 .. n)}: {@code logitsBuffer()[i * vocab ..]} for rows[i]; the
     * first {@code perToken} of them take the per-token kernels, the rest the GEMM.
     */
    void logits(int[] rows, int n, int perToken) {
        int dim = c.dim();
        if (logits.length < n * c.vocab()) {
            logits = new float[n * c.vocab()];   // grows to the largest batch once, then reused
        }
        for (int i = 0; i < n; i++) {
            FloatOps.rmsnorm(xb, i * dim, x, rows[i] * dim, w.outputNorm(), dim, c.rmsEps());
        }
        mm.matmul(w.output(), xb, n, perToken, logits);
    }

    float[] logitsBuffer() {
        return logits;
    }

    int rows() {
        return rows;
    }
}
