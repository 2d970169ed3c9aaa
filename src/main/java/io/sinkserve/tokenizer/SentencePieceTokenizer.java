package io.sinkserve.tokenizer;

import io.sinkserve.gguf.GGUFMetadata;

import java.nio.charset.StandardCharsets;

/**
 * SentencePiece-style BPE ({@code tokenizer.ggml.model = llama}): spaces become ▁, a ▁ is prepended to
 * text that starts the input or follows a special token, then adjacent symbols are merged greedily by
 * the best vocabulary score (leftmost on ties) over the whole fragment. Characters that never form a
 * token fall back to byte tokens {@code <0xNN>}.
 */
final class SentencePieceTokenizer extends VocabularyTokenizer {
    private static final char SPACE = '▁';

    private final boolean addSpacePrefix;
    private final int[] byteTokens = new int[256];

    SentencePieceTokenizer(GGUFMetadata md) {
        super(Vocabulary.fromGGUF(md, true, true));
        this.addSpacePrefix = md.getBool("tokenizer.ggml.add_space_prefix", true);
        for (int b = 0; b < 256; b++) {
            int id = vocab.id(String.format("<0x%02X>", b));
            byteTokens[b] = id >= 0 ? id : vocab.id(String.valueOf((char) b));
        }
    }

    @Override
    byte[] normalPiece(String text) {
        return text.replace(SPACE, ' ').getBytes(StandardCharsets.UTF_8);
    }

    @Override
    String dropLeadingSpace(String text) {
        return addSpacePrefix && text.startsWith(" ") ? text.substring(1) : text;
    }

    @Override
    void encodeText(String fragment, boolean afterSpecial, TokenList out) {
        String text = ((addSpacePrefix && afterSpecial ? " " : "") + fragment).replace(' ', SPACE);
        // symbols are code points; a merged symbol is a contiguous range [start, start+len) of text
        int n = text.codePointCount(0, text.length());
        int[] start = new int[n];
        int[] len = new int[n];
        int[] prev = new int[n];
        int[] next = new int[n];
        for (int i = 0, pos = 0; i < n; i++) {
            int cp = text.codePointAt(pos);
            start[i] = pos;
            len[i] = Character.charCount(cp);
            pos += len[i];
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        MergeQueue queue = new MergeQueue();
        for (int i = 1; i < n; i++) {
            offer(queue, text, start, len, i - 1, i);
        }
        while (!queue.isEmpty()) {
            queue.pop();
            int l = queue.poppedLeft;
            int r = queue.poppedRight;
            if (len[l] == 0 || len[r] == 0 || len[l] + len[r] != queue.poppedLength) {
                continue; // one side was merged into something else since this pair was queued
            }
            len[l] += len[r];
            len[r] = 0;
            next[l] = next[r];
            if (next[r] >= 0) {
                prev[next[r]] = l;
            }
            if (prev[l] >= 0) {
                offer(queue, text, start, len, prev[l], l);
            }
            if (next[l] >= 0) {
                offer(queue, text, start, len, l, next[l]);
            }
        }
        for (int i = 0; i >= 0 && n > 0; i = next[i]) {
            String symbol = text.substring(start[i], start[i] + len[i]);
            int id = vocab.id(symbol);
            if (id >= 0) {
                out.add(id);
            } else {
                for (byte b : symbol.getBytes(StandardCharsets.UTF_8)) {
                    int byteToken = byteTokens[b & 0xFF];
                    out.add(byteToken >= 0 ? byteToken : vocab.unk());
                }
            }
        }
    }

    private void offer(MergeQueue queue, String text, int[] start, int[] len, int l, int r) {
        int length = len[l] + len[r];
        int id = vocab.id(text.substring(start[l], start[l] + length));
        if (id >= 0) {
            queue.push(-vocab.score(id), l, r, length);
        }
    }
}
