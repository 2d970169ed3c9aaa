package io.sinkserve.scheduler;

import io.sinkserve.cache.CacheConfig;
import io.sinkserve.cache.CacheStats;
import io.sinkserve.cache.EvictionListener;
import io.sinkserve.cache.EvictionPolicy;
import io.sinkserve.tokenizer.ChatMessage;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;

/**
 * A deterministic stand-in for the model, for unit tests of scheduling and framing: the next token is a hash
 * of the sequence's recent history, so a sequence gives the same tokens whether decoded alone or in a batch.
 * Tokens 2..27 are the letters a..z, 28 is a space; 0 is BOS, 1 is EOS. Every engine call is logged, and
 * a test can hold the engine by taking the gate's permits.
 */
public final class FakeEngine implements Engine {
    static final int VOCAB = 29;
    static final int BOS = 0;
    static final int EOS = 1;

    /** "prefill:N" or "decode:N" per call, in order. */
    public final List<String> calls = new CopyOnWriteArrayList<>();
    public final Semaphore gate = new Semaphore(Integer.MAX_VALUE);
    private final boolean emitsEos;
    private final String name;

    public FakeEngine(boolean emitsEos) {
        this(emitsEos, "fake");
    }

    public FakeEngine(boolean emitsEos, String name) {
        this.emitsEos = emitsEos;
        this.name = name;
    }

    @Override
    public String modelName() {
        return name;
    }

    @Override
    public int vocabSize() {
        return VOCAB;
    }

    @Override
    public int contextLength() {
        return 64;
    }

    @Override
    public int[] renderChat(List<ChatMessage> messages, boolean addGenerationPrompt) {
        StringBuilder sb = new StringBuilder();
        for (ChatMessage m : messages) {
            if (m.role().equals("tool")) {
                throw new PromptRejectedException("tool messages are not supported", null);
            }
            sb.append(m.role().charAt(0)).append(' ').append(m.content()).append(' ');
        }
        if (addGenerationPrompt) {
            sb.append("a ");
        }
        return encode(sb.toString());
    }

    @Override
    public int[] encode(String text) {
        int[] out = new int[text.length() + 1];
        out[0] = BOS;
        for (int i = 0; i < text.length(); i++) {
            char c = Character.toLowerCase(text.charAt(i));
            out[i + 1] = c >= 'a' && c <= 'z' ? 2 + c - 'a' : 28;
        }
        return out;
    }

    @Override
    public EngineSequence newSequence(CacheConfig config) {
        return new FakeSequence(config);
    }

    @Override
    public EngineSequence readSequence(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        FakeSequence s = new FakeSequence(CacheConfig.streaming(data.readInt(), data.readInt()));
        for (int n = data.readInt(); n > 0; n--) {
            s.history.add(data.readInt());
        }
        return s;
    }

    @Override
    public float[] prefill(EngineSequence sequence, int[] tokens) {
        gate.acquireUninterruptibly();
        gate.release();
        calls.add("prefill:" + tokens.length);
        FakeSequence s = (FakeSequence) sequence;
        for (int t : tokens) {
            s.feed(t);
        }
        return s.logits();
    }

    @Override
    public float[][] decode(List<EngineSequence> sequences, int[] tokens) {
        gate.acquireUninterruptibly();
        gate.release();
        calls.add("decode:" + sequences.size());
        float[][] out = new float[sequences.size()][];
        for (int i = 0; i < out.length; i++) {
            FakeSequence s = (FakeSequence) sequences.get(i);
            s.feed(tokens[i]);
            out[i] = s.logits();
        }
        return out;
    }

    @Override
    public TextDecoder newDecoder() {
        return new TextDecoder() {
            @Override
            public String push(int token) {
                return new String(tokenBytes(token), java.nio.charset.StandardCharsets.UTF_8);
            }

            @Override
            public String flush() {
                return "";
            }
        };
    }

    @Override
    public byte[] tokenBytes(int token) {
        String text = token >= 2 && token < 28 ? String.valueOf((char) ('a' + token - 2)) : token == 28 ? " " : "";
        return text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public io.sinkserve.generate.TokenMask jsonMask(io.sinkserve.generate.json.JsonGrammar grammar) {
        throw new UnsupportedOperationException("the fake engine has no tokenizer to constrain");
    }

    @Override
    public boolean isEndOfGeneration(int token) {
        return token == EOS;
    }

    @Override
    public void close() {
    }

    public final class FakeSequence implements EngineSequence {
        private final CacheConfig config;
        private final List<Integer> history = new ArrayList<>();
        private long evictions;
        private long evictedTokens;
        private EvictionListener listener;
        private int checkpoint = -1;
        private long checkpointEvictions;
        public boolean closed;

        FakeSequence(CacheConfig config) {
            this.config = config;
        }

        void feed(int token) {
            history.add(token);
            if (history.size() > config.capacity()) {
                evictions++;
                evictedTokens++;
                if (listener != null) {
                    listener.evicted(EvictionPolicy.TOKEN, 1);
                }
            }
        }

        float[] logits() {
            int h = history.size();
            for (int i = Math.max(0, history.size() - 3); i < history.size(); i++) {
                h = h * 31 + history.get(i);
            }
            h = Math.abs(h * 0x9E3779B1);
            float[] logits = new float[VOCAB];
            int next = emitsEos && h % 23 == 0 ? EOS : 2 + h % 27;
            logits[next] = 10f;
            logits[2 + (h / 27) % 27] += 9f;   // a close runner-up, so seeded sampling has a real choice
            return logits;
        }

        @Override
        public CacheConfig config() {
            return config;
        }

        int[] history() {
            return history.stream().mapToInt(Integer::intValue).toArray();
        }

        @Override
        public boolean isPrefixOf(int[] prompt) {
            int[] all = history();
            return all.length > 0 && all.length < prompt.length && Arrays.equals(all, 0, all.length, prompt, 0, all.length);
        }

        @Override
        public long heapBytes() {
            return 4L * history.size();
        }

        @Override
        public int[] recentTokens(int n) {
            int[] all = history();
            return Arrays.copyOfRange(all, all.length - Math.min(n, all.length), all.length);
        }

        @Override
        public void checkpoint() {
            checkpoint = history.size();
            checkpointEvictions = evictions;
        }

        @Override
        public void commit() {
            checkpoint = -1;
        }

        @Override
        public void rollback() {
            if (checkpoint >= 0) {
                history.subList(checkpoint, history.size()).clear();
                evictions = checkpointEvictions;
                evictedTokens = checkpointEvictions;
                checkpoint = -1;
            }
        }

        @Override
        public CacheStats stats() {
            int size = Math.min(history.size(), config.capacity());
            return new CacheStats(config.capacity(), size, history.size(), evictions, evictedTokens,
                    (long) config.capacity() * 64);
        }

        @Override
        public void setEvictionListener(EvictionListener listener) {
            this.listener = listener;
        }

        /** Only streaming caches' sinks and window, and the history: all a fake sequence is. */
        @Override
        public void writeSnapshot(OutputStream out) throws IOException {
            DataOutputStream data = new DataOutputStream(out);
            data.writeInt(config.sinks());
            data.writeInt(config.window());
            data.writeInt(history.size());
            for (int t : history) {
                data.writeInt(t);
            }
            data.flush();
        }

        @Override
        public void close() {
            closed = true;
        }

        @Override
        public String toString() {
            return "FakeSequence" + Arrays.toString(history());
        }
    }
}
