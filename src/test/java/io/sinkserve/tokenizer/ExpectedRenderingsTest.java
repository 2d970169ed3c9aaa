package io.sinkserve.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sinkserve.testing.TestFiles;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every case of templates/expected-renderings.json: what Python Jinja2 renders with the Hugging Face
 * conventions for real models' templates (strftime_now fixed to 2026-01-15), or the error the template
 * raises.
 */
class ExpectedRenderingsTest {
    private static final Clock JAN_15_2026 = Clock.fixed(Instant.parse("2026-01-15T12:00:00Z"), ZoneOffset.UTC);

    @Test
    void everyCaseRendersExactlyAsJinja2() throws IOException {
        JsonNode cases = new ObjectMapper().readTree(TestFiles.template("expected-renderings.json").toFile());
        List<String> failures = new ArrayList<>();
        int checked = 0;
        for (JsonNode c : cases) {
            String file = c.get("template").asText();
            ChatTemplate template = ChatTemplate.ofSource(Files.readString(TestFiles.template(file)),
                    c.get("bos_token").asText(), c.get("eos_token").asText()).withClock(JAN_15_2026);
            List<ChatMessage> messages = new ArrayList<>();
            for (JsonNode m : c.get("messages")) {
                messages.add(new ChatMessage(m.get("role").asText(), m.get("content").asText()));
            }
            boolean prompt = c.get("add_generation_prompt").asBoolean();
            String expected = c.has("expected") ? c.get("expected").asText() : "error: " + c.get("error").asText();
            String actual;
            try {
                actual = template.render(messages, prompt);
            } catch (TemplateException e) {
                actual = "error: " + e.getMessage();
            }
            if (!expected.equals(actual)) {
                failures.add(file + " " + messages.size() + " messages, prompt=" + prompt
                        + "\n  expected: " + expected.replace("\n", "\\n") + "\n  actual:   " + actual.replace("\n", "\\n"));
            }
            checked++;
        }
        assertEquals(54, checked);
        assertEquals("", String.join("\n", failures));
    }
}
