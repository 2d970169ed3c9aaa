package io.sinkserve.cli;

import io.sinkserve.cache.CacheConfig;
import io.sinkserve.cache.KvStorage;
import io.sinkserve.compute.TensorType;
import io.sinkserve.gguf.FileType;
import io.sinkserve.gguf.GGUFFile;
import io.sinkserve.gguf.GGUFMetadata;
import io.sinkserve.gguf.TensorInfo;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code info} reports about a GGUF file, read leniently so that any architecture and vocab-only
 * files work: a fact the file does not state is null. Serialised as is for {@code --json}.
 */
record ModelInfo(FileFacts file, String architecture, String name, String fileType, Shape shape, Rope rope,
                 Tensors tensors, TokenizerFacts tokenizer, Template chatTemplate, KvCache kvCache) {

    /** {@code dataOffset}: where tensor data starts; null in a file without tensors. */
    record FileFacts(String path, long bytes, int version, int alignment, Long dataOffset) {
    }

    record Shape(Integer dim, Integer layers, Integer heads, Integer kvHeads, Integer headDim, Integer ffn,
                 Integer vocab, Integer contextLength) {
    }

    /** {@code scaling}: "none", a {@code rope.scaling.type} value, or "rope_freqs.weight" (per-frequency factors, Llama 3.1+). */
    record Rope(Double base, Integer dimensions, String scaling, Double factor, Integer originalContextLength) {
    }

    record Tensors(int count, Map<String, Integer> types, long weightBytes, long parameters) {
    }

    record TokenizerFacts(String model, String pre, Integer vocabSize, Long bos, Long eos, Long eot, Long unknown,
                          Long padding, Boolean addBos) {
    }

    record Template(boolean present, String firstLine, Integer length) {
    }

    /** Per-session cache of {@code sinks} + {@code window} tokens, K and V for every layer. */
    record KvCache(int sinks, int window, int capacity, long bytesF32, long bytesF16) {
    }

    /** {@code window} null: the window {@code serve} would pick for this model. */
    static ModelInfo of(GGUFFile f, long fileBytes, int sinks, Integer window) {
        GGUFMetadata md = f.metadata();
        String arch = md.getString("general.architecture", null);
        String p = arch + ".";
        Shape shape = shape(f, md, p);
        Object fileType = md.get(FileType.KEY);
        return new ModelInfo(
                new FileFacts(f.path().toString(), fileBytes, f.version(), f.alignment(),
                        f.tensors().isEmpty() ? null : f.dataStart()),
                arch, md.getString("general.name", null),
                fileType instanceof Number n ? FileType.describe(n.longValue()) : null,
                shape, rope(f, md, p), tensors(f.tensors()), tokenizer(md), template(md),
                kvCache(shape, sinks, window));
    }

    private static Shape shape(GGUFFile f, GGUFMetadata md, String p) {
        Integer dim = integer(md, p + "embedding_length");
        Integer heads = integer(md, p + "attention.head_count");
        Integer kvHeads = integer(md, p + "attention.head_count_kv");
        Integer headDim = integer(md, p + "attention.key_length");
        if (headDim == null && dim != null && heads != null && heads > 0) {
            headDim = dim / heads;
        }
        Integer vocab = integer(md, p + "vocab_size");
        if (vocab == null && md.get("tokenizer.ggml.tokens") instanceof List<?> tokens) {
            vocab = tokens.size();
        }
        TensorInfo embedding = f.tensor("token_embd.weight");
        if (vocab == null && embedding != null && embedding.shape().length == 2) {
            vocab = (int) embedding.shape()[1];
        }
        return new Shape(dim, integer(md, p + "block_count"), heads, kvHeads == null ? heads : kvHeads, headDim,
                integer(md, p + "feed_forward_length"), vocab, integer(md, p + "context_length"));
    }

    private static Rope rope(GGUFFile f, GGUFMetadata md, String p) {
        String scaling = f.tensor("rope_freqs.weight") != null ? "rope_freqs.weight"
                : md.getString(p + "rope.scaling.type", "none");
        Object base = md.get(p + "rope.freq_base");
        Object factor = md.get(p + "rope.scaling.factor");
        return new Rope(base instanceof Number n ? n.doubleValue() : null, integer(md, p + "rope.dimension_count"),
                scaling, factor instanceof Number n ? n.doubleValue() : null,
                integer(md, p + "rope.scaling.original_context_length"));
    }

    private static Tensors tensors(List<TensorInfo> tensors) {
        Map<TensorType, Integer> byType = new EnumMap<>(TensorType.class);
        long bytes = 0;
        long params = 0;
        for (TensorInfo t : tensors) {
            byType.merge(t.type(), 1, Integer::sum);
            bytes += t.byteSize();
            params += t.elements();
        }
        Map<String, Integer> types = new LinkedHashMap<>();
        byType.forEach((t, n) -> types.put(t.name(), n));
        return new Tensors(tensors.size(), types, bytes, params);
    }

    private static TokenizerFacts tokenizer(GGUFMetadata md) {
        String t = "tokenizer.ggml.";
        Integer size = md.get(t + "tokens") instanceof List<?> tokens ? tokens.size() : null;
        Object addBos = md.get(t + "add_bos_token");
        return new TokenizerFacts(md.getString(t + "model", null), md.getString(t + "pre", null), size,
                id(md, t + "bos_token_id"), id(md, t + "eos_token_id"), id(md, t + "eot_token_id"),
                id(md, t + "unknown_token_id"), id(md, t + "padding_token_id"),
                addBos instanceof Boolean b ? b : null);
    }

    private static Template template(GGUFMetadata md) {
        if (!(md.get("tokenizer.chat_template") instanceof String s)) {
            return new Template(false, null, null);
        }
        String first = s.strip().lines().findFirst().orElse("");
        return new Template(true, first.length() > 100 ? first.substring(0, 100) + "…" : first, s.length());
    }

    private static KvCache kvCache(Shape s, int sinks, Integer window) {
        if (s.layers() == null || s.kvHeads() == null || s.headDim() == null) {
            return null;
        }
        int w = window != null ? window : s.contextLength() != null
                ? CacheConfig.defaultWindow(s.contextLength(), sinks) : CacheConfig.MAX_DEFAULT_WINDOW;
        CacheConfig f32 = CacheConfig.streaming(sinks, w);
        return new KvCache(sinks, w, f32.capacity(), f32.bytes(s.layers(), s.kvHeads(), s.headDim()),
                f32.withStorage(KvStorage.F16).bytes(s.layers(), s.kvHeads(), s.headDim()));
    }

    private static Integer integer(GGUFMetadata md, String key) {
        return md.get(key) instanceof Number n && n.longValue() >= 0 && n.longValue() <= Integer.MAX_VALUE
                ? n.intValue() : null;
    }

    private static Long id(GGUFMetadata md, String key) {
        return md.get(key) instanceof Number n ? n.longValue() : null;
    }
}
