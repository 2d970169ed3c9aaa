package io.sinkserve.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What both tokenizer algorithms share: special-token splitting, BOS, the vocabulary queries and
 * decoding through per-token byte pieces. Subclasses tokenize plain text fragments.
 */
abstract class VocabularyTokenizer implements Tokenizer {
    private static final byte[] NOTHING = new byte[0];

    protected final Vocabulary vocab;
    private final SpecialTokenSplitter splitter;
    private final byte[][] pieces;

    VocabularyTokenizer(Vocabulary vocab) {
        this.vocab = vocab;
        this.splitter = new SpecialTokenSplitter(vocab);
        this.pieces = new byte[vocab.size()][];
        for (int id = 0; id < pieces.length; id++) {
            pieces[id] = switch (vocab.type(id)) {
                case CONTROL, UNKNOWN, UNUSED, UNDEFINED -> NOTHING;
                case USER_DEFINED -> vocab.text(id).getBytes(StandardCharsets.UTF_8);
                case BYTE -> new byte[] {byteValue(vocab.text(id))};
                case NORMAL -> normalPiece(vocab.text(id));
            };
        }
    }

    /** The bytes a NORMAL token stands for. */
    abstract byte[] normalPiece(String text);

    /** Tokenizes one plain-text fragment; {@code afterSpecial} is true at the start and after a special token. */
    abstract void encodeText(String text, boolean afterSpecial, TokenList out);

    @Override
    public int[] encode(String text, boolean addBos, boolean parseSpecial) {
        return encode(splitter.split(text, parseSpecial), addBos);
    }

    @Override
    public int[] encodeMarkup(String text, boolean addBos, int[] literalRanges) {
        return encode(splitter.split(text, true, literalRanges), addBos);
    }

    private int[] encode(List<Fragment> fragments, boolean addBos) {
        TokenList out = new TokenList();
        if (addBos && vocab.addBos()) {
            out.add(vocab.bos());
        }
        boolean afterSpecial = true;
        for (Fragment f : fragments) {
            if (f.isText()) {
                encodeText(f.text(), afterSpecial, out);
                afterSpecial = false;
            } else {
                out.add(f.token());
                afterSpecial = true;
            }
        }
        return out.toArray();
    }

    @Override
    public String decode(int[] ids) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int id : ids) {
            bytes.writeBytes(piece(id));
        }
        return dropLeadingSpace(bytes.toString(StandardCharsets.UTF_8));
    }

    /** Hook for the SentencePiece rule that the encoder's added leading space is not part of the text. */
    String dropLeadingSpace(String text) {
        return text;
    }

    @Override
    public byte[] piece(int id) {
        if (id < 0 || id >= pieces.length) {
            throw new IllegalArgumentException("token id " + id + " outside the vocabulary (size " + pieces.length + ")");
        }
        return pieces[id];
    }

    @Override
    public boolean isText(int id) {
        TokenType type = vocab.type(id);
        return type == TokenType.NORMAL || type == TokenType.BYTE;
    }

    @Override
    public String tokenText(int id) {
        return vocab.text(id);
    }

    @Override
    public int vocabSize() {
        return vocab.size();
    }

    @Override
    public int bos() {
        return vocab.bos();
    }

    @Override
    public int eos() {
        return vocab.eos();
    }

    @Override
    public boolean isEndOfGeneration(int id) {
        return vocab.isEndOfGeneration(id);
    }

    @Override
    public boolean addBosByDefault() {
        return vocab.addBos();
    }

    @Override
    public StreamingDecoder newDecoder() {
        return new StreamingDecoder(this);
    }

    /** {@code <0x41>} → 0x41. */
    private static byte byteValue(String text) {
        if (text.length() == 6 && text.startsWith("<0x") && text.endsWith(">")) {
            return (byte) Integer.parseInt(text.substring(3, 5), 16);
        }
        throw new IllegalArgumentException("byte token with unexpected text '" + text + "'");
    }
}
