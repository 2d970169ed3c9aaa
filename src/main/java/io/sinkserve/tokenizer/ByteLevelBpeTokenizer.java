package io.sinkserve.tokenizer;

import io.sinkserve.gguf.GGUFMetadata;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Byte-level BPE ({@code tokenizer.ggml.model = gpt2}): the pre-tokenizer splits text into words, each
 * word's UTF-8 bytes become GPT-2's byte characters, and adjacent symbols merge by the lowest merge rank
 * (leftmost on ties) until no listed merge applies.
 */
final class ByteLevelBpeTokenizer extends VocabularyTokenizer {
    /** Words repeat a lot in long texts; the cache is dropped when it grows past this many entries. */
    private static final int WORD_CACHE_LIMIT = 1 << 16;

    private final PreTokenizer preTokenizer;
    private final MergeTable merges;
    private final int[] byteTokens = new int[256];
    private final Map<String, int[]> wordCache = new HashMap<>();

    ByteLevelBpeTokenizer(GGUFMetadata md) {
        this(md, md.getString("tokenizer.ggml.pre", "default"));
    }

    private ByteLevelBpeTokenizer(GGUFMetadata md, String pre) {
        super(Vocabulary.fromGGUF(md, false, isLlama3(pre)));
        this.preTokenizer = PreTokenizer.forName(pre);
        for (int b = 0; b < 256; b++) {
            byteTokens[b] = vocab.id(String.valueOf(ByteLevel.charOf(b)));
        }
        String[] list = md.has("tokenizer.ggml.merges") ? md.getStringArray("tokenizer.ggml.merges") : new String[0];
        this.merges = new MergeTable(list.length);
        for (int rank = 0; rank < list.length; rank++) {
            String merge = list[rank];
            int space = merge.indexOf(' ', 1);
            if (space < 0) {
                continue;
            }
            String a = merge.substring(0, space);
            String b = merge.substring(space + 1);
            int left = vocab.id(a);
            int right = vocab.id(b);
            int merged = vocab.id(a + b);
            if (left >= 0 && right >= 0 && merged >= 0) {
                merges.put(left, right, rank, merged);
            }
        }
    }

    private static boolean isLlama3(String pre) {
        return pre.equals("llama-bpe") || pre.equals("llama3") || pre.equals("llama-v3");
    }

    @Override
    byte[] normalPiece(String text) {
        return ByteLevel.decode(text);
    }

    @Override
    void encodeText(String text, boolean afterSpecial, TokenList out) {
        for (String word : preTokenizer.split(text)) {
            out.addAll(encodeWord(word));
        }
    }

    private int[] encodeWord(String word) {
        synchronized (wordCache) {
            int[] cached = wordCache.get(word);
            if (cached != null) {
                return cached;
            }
        }
        int[] ids = mergeWord(word);
        synchronized (wordCache) {
            if (wordCache.size() >= WORD_CACHE_LIMIT) {
                wordCache.clear();
            }
            wordCache.put(word, ids);
        }
        return ids;
    }

    private int[] mergeWord(String word) {
        if (preTokenizer.ignoreMerges()) {
            int whole = vocab.id(ByteLevel.encode(word));
            if (whole >= 0) {
                return new int[] {whole};
            }
        }
        // one symbol per byte; a symbol holds the token id it currently forms
        byte[] bytes = word.getBytes(StandardCharsets.UTF_8);
        int n = bytes.length;
        int[] token = new int[n];
        int[] len = new int[n];
        int[] prev = new int[n];
        int[] next = new int[n];
        for (int i = 0; i < n; i++) {
            token[i] = byteTokens[bytes[i] & 0xFF];
            len[i] = 1;
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        MergeQueue queue = new MergeQueue();
        for (int i = 1; i < n; i++) {
            offer(queue, token, len, i - 1, i);
        }
        while (!queue.isEmpty()) {
            queue.pop();
            int l = queue.poppedLeft;
            int r = queue.poppedRight;
            if (len[l] == 0 || len[r] == 0 || len[l] + len[r] != queue.poppedLength) {
                continue;
            }
            token[l] = (int) merges.find(token[l], token[r]);
            len[l] += len[r];
            len[r] = 0;
            next[l] = next[r];
            if (next[r] >= 0) {
                prev[next[r]] = l;
            }
            if (prev[l] >= 0) {
                offer(queue, token, len, prev[l], l);
            }
            if (next[l] >= 0) {
                offer(queue, token, len, l, next[l]);
            }
        }
        TokenList ids = new TokenList();
        for (int i = 0; i >= 0 && n > 0; i = next[i]) {
            if (token[i] >= 0) {
                ids.add(token[i]); // a byte missing from the vocabulary is dropped, as llama.cpp does
            }
        }
        return ids.toArray();
    }

    private void offer(MergeQueue queue, int[] token, int[] len, int l, int r) {
        if (token[l] < 0 || token[r] < 0) {
            return;
        }
        long found = merges.find(token[l], token[r]);
        if (found >= 0) {
            queue.push(found >>> 32, l, r, len[l] + len[r]);
        }
    }
}
