package io.sinkserve.model;




import io.sinkserve.cache.CacheConfig;
import io.sinkserve.generate.TokenMask;
import io.sinkserve.generate.json.JsonConstraint;
import io.sinkserve.generate.json.JsonGrammar;
import io.sinkserve.generate.json.TokenBytes;
import io.sinkserve.tokenizer.ChatMessage;
import io.sinkserve.tokenizer.ChatTemplate;
import io.sinkserve.tokenizer.StreamingDecoder;
import io.sinkserve.tokenizer.TemplateException;
import io.sinkserve.tokenizer.Tokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** The {@link Engine} over a loaded {@link Model}, its tokenizer and chat template. */
public final class ModelEngine implements Engine, AutoCloseable {
    private final Model model;
    private final String name;
    private final Tokenizer tokenizer;
    private final ChatTemplate template;
    private final int vocab;
    private volatile TokenBytes tokenBytes;   // built on the first structured-output request

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
    public Sequence newSequence(CacheConfig config) {
        return model.newSequence(config);
    }

    @Override
    public Sequence readSequence(InputStream in) throws IOException {
        return model.readSequence(in);
    }

    @Override
    public void step(StepBatch batch) {
        model.step(batch);
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
}
