package io.sinkserve.tokenizer;

import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import io.sinkserve.gguf.GGUFMetadata;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Jinja chat template (Hugging Face conventions) that turns a conversation into the model's prompt.
 * Immutable and thread-safe.
 */
public final class ChatTemplate {
    /** The built-in templates for models whose GGUF has no {@code tokenizer.chat_template}. */
    public static final List<String> FALLBACKS = List.of("chatml", "llama2", "llama3", "phi3", "plain");

    private final String name;
    private final String source;
    private final String bosToken;
    private final String eosToken;
    private final Clock clock;

    private ChatTemplate(String name, String source, String bosToken, String eosToken, Clock clock) {
        this.name = name;
        this.source = source;
        this.bosToken = bosToken;
        this.eosToken = eosToken;
        this.clock = clock;
    }

    /**
     * The GGUF's {@code tokenizer.chat_template}; without one, the fallback whose markup tokens the
     * vocabulary has (llama3, chatml, phi3, llama2), else {@code plain}.
     */
    public static ChatTemplate fromGGUF(GGUFMetadata md) {
        List<?> tokens = md.get("tokenizer.ggml.tokens") instanceof List<?> list ? list : List.of();
        String bos = tokenText(md, tokens, "tokenizer.ggml.bos_token_id");
        String eos = tokenText(md, tokens, "tokenizer.ggml.eos_token_id");
        String jinja = md.getString("tokenizer.chat_template", "");
        if (!jinja.isBlank()) {
            return new ChatTemplate("gguf", jinja, bos, eos, Clock.systemDefaultZone());
        }
        String fallback = fallbackFor(tokens);
        return new ChatTemplate(fallback, builtinSource(fallback), bos, eos, Clock.systemDefaultZone());
    }

    /** A built-in template with its format's usual BOS/EOS texts. */
    public static ChatTemplate named(String name) {
        return switch (name) {
            case "chatml" -> new ChatTemplate(name, builtinSource(name), "", "<|im_end|>", Clock.systemDefaultZone());
            case "llama2" -> new ChatTemplate(name, builtinSource(name), "<s>", "</s>", Clock.systemDefaultZone());
            case "llama3" -> new ChatTemplate(name, builtinSource(name), "<|begin_of_text|>", "<|eot_id|>", Clock.systemDefaultZone());
            case "phi3" -> new ChatTemplate(name, builtinSource(name), "<s>", "<|endoftext|>", Clock.systemDefaultZone());
            case "plain" -> new ChatTemplate(name, builtinSource(name), "", "", Clock.systemDefaultZone());
            default -> throw new IllegalArgumentException("unknown chat template '" + name + "' (built in: "
                    + String.join(", ", FALLBACKS) + ")");
        };
    }

    public static ChatTemplate ofSource(String jinja, String bosToken, String eosToken) {
        return new ChatTemplate("custom", jinja, bosToken, eosToken, Clock.systemDefaultZone());
    }

    /** The same template with a different clock for {@code strftime_now}. */
    ChatTemplate withClock(Clock clock) {
        return new ChatTemplate(name, source, bosToken, eosToken, clock);
    }

    /** "gguf" for a model's own template, "custom" for {@link #ofSource}, else the built-in's name. */
    public String name() {
        return name;
    }

    public String source() {
        return source;
    }

    /**
     * Renders the prompt text.
     *
     * @throws TemplateException with the template's own message when it calls raise_exception, or
     *                           the engine's message when the template cannot be rendered
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        List<Map<String, Object>> turns = new ArrayList<>(messages.size());
        for (ChatMessage m : messages) {
            turns.add(turn(m.role(), m.content()));
        }
        return renderTurns(turns, addGenerationPrompt);
    }

    /**
     * Renders and tokenizes the prompt. The template's markup is parsed with special tokens, while the
     * message contents are tokenized as plain text, so a user who types "<|eot_id|>" cannot end a turn.
     * BOS is prepended when the vocabulary wants it and the template did not already emit it.
     */
    public int[] renderTokens(List<ChatMessage> messages, boolean addGenerationPrompt, Tokenizer tok) {
        String prompt = render(messages, addGenerationPrompt);
        int[] literal = MarkedContents.locate(this, messages, addGenerationPrompt, prompt);
        int[] ids = tok.encodeMarkup(prompt, false, literal);
        if (tok.addBosByDefault() && (ids.length == 0 || ids[0] != tok.bos())) {
            int[] withBos = new int[ids.length + 1];
            withBos[0] = tok.bos();
            System.arraycopy(ids, 0, withBos, 1, ids.length);
            return withBos;
        }
        return ids;
    }

    /** Renders turns whose contents may carry markers; see {@link MarkedContents}. */
    String renderTurns(List<Map<String, Object>> turns, boolean addGenerationPrompt) {
        Map<String, Object> context = new HashMap<>();
        context.put("messages", turns);
        context.put("add_generation_prompt", addGenerationPrompt);
        context.put("bos_token", bosToken);
        context.put("eos_token", eosToken);
        // a variable of the same name lets templates test "strftime_now is defined" as with HF
        context.put("strftime_now", "strftime_now");
        context.put(TemplateFunctions.NOW, ZonedDateTime.now(clock));
        RenderResult result = JinjaEnvironment.render(source, context);
        for (TemplateError error : result.getErrors()) {
            for (Throwable t = error.getException(); t != null; t = t.getCause()) {
                if (t instanceof TemplateFunctions.Raised raised) {
                    throw new TemplateException(raised.getMessage());
                }
            }
        }
        for (TemplateError error : result.getErrors()) {
            if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
                throw new TemplateException("chat template '" + name + "' failed at line " + error.getLineno()
                        + ": " + error.getMessage());
            }
        }
        return result.getOutput();
    }

    static Map<String, Object> turn(String role, String content) {
        Map<String, Object> turn = new LinkedHashMap<>();
        turn.put("role", role);
        turn.put("content", content);
        return turn;
    }

    private static String fallbackFor(List<?> tokens) {
        Set<Object> present = new HashSet<>(tokens);
        if (present.contains("<|start_header_id|>") && present.contains("<|eot_id|>")) {
            return "llama3";
        }
        if (present.contains("<|im_start|>") && present.contains("<|im_end|>")) {
            return "chatml";
        }
        if (present.contains("<|user|>") && present.contains("<|end|>")) {
            return "phi3";
        }
        if (present.contains("[INST]")) {
            return "llama2";
        }
        return "plain";
    }

    private static String tokenText(GGUFMetadata md, List<?> tokens, String key) {
        long id = md.getLong(key, -1);
        return id >= 0 && id < tokens.size() ? String.valueOf(tokens.get((int) id)) : "";
    }

    private static String builtinSource(String name) {
        try (InputStream in = ChatTemplate.class.getResourceAsStream("templates/" + name + ".jinja")) {
            if (in == null) {
                throw new IllegalStateException("built-in chat template " + name + " is missing from the build");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
