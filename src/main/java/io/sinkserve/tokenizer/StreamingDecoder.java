package io.sinkserve.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Turns generated token ids into text as they arrive. Byte-fallback and byte-level tokens can split a
 * multi-byte UTF-8 character across tokens; the bytes of an unfinished character are held back until
 * the character is complete, so the caller never sees half a character.
 */
public final class StreamingDecoder {
    private final Tokenizer tokenizer;
    private byte[] pending = new byte[16];
    private int size;

    StreamingDecoder(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /** Adds a token; returns the text completed by it (possibly empty). */
    public String push(int id) {
        byte[] piece = tokenizer.piece(id);
        if (size + piece.length > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pending.length * 2, size + piece.length));
        }
        System.arraycopy(piece, 0, pending, size, piece.length);
        size += piece.length;
        int complete = completePrefix(pending, size);
        return take(complete);
    }

    /** Returns whatever is still held back (an unfinished character decodes as U+FFFD). */
    public String flush() {
        return take(size);
    }

    private String take(int n) {
        if (n == 0) {
            return "";
        }
        String text = new String(pending, 0, n, StandardCharsets.UTF_8);
        System.arraycopy(pending, n, pending, 0, size - n);
        size -= n;
        return text;
    }

    /** Length of the longest prefix that does not end inside an unfinished UTF-8 sequence. */
    static int completePrefix(byte[] b, int len) {
        // a sequence is at most 4 bytes: look back for its lead byte
        for (int i = len - 1; i >= 0 && i >= len - 4; i--) {
            int v = b[i] & 0xFF;
            if ((v & 0xC0) == 0x80) {
                continue; // continuation byte
            }
            int need = v >= 0xF0 && v <= 0xF4 ? 4 : v >= 0xE0 ? 3 : v >= 0xC2 && v < 0xE0 ? 2 : 1;
            if (v >= 0xF5) {
                need = 1; // never valid: let the decoder replace it
            }
            return len - i < need ? i : len;
        }
        return len;
    }
}
