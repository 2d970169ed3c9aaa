package io.sinkserve.generate.json;

import io.sinkserve.gguf.GGUFFile;
import io.sinkserve.testing.TestFiles;
import io.sinkserve.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The structured-output mask on stories260K's vocabulary: the grammar's mask, and no two blank tokens in a row. */
class BlankTokenRuleTest {
    @Test
    void aBlankTokenIsNeverFollowedByAnotherWhereSomethingElseFits() {
        try (GGUFFile gguf = GGUFFile.open(TestFiles.stories260K())) {
            Tokenizer tok = Tokenizer.fromGGUF(gguf.metadata());
            int vocab = tok.vocabSize();
            TokenBytes tokens = TokenBytes.of(tok);
            int space = find(tok, " ");
            int open = find(tok, "{");
            assertTrue(tokens.isBlank(space) && !tokens.isBlank(open));
            JsonConstraint mask = new JsonConstraint(JsonGrammar.anyObject(), tokens, tok::isEndOfGeneration);
            float[] logits = new float[vocab];
            mask.mask(logits);
            assertEquals(0f, logits[space], "whitespace may open the document");
            assertEquals(0f, logits[open]);
            mask.accept(space);
            Arrays.fill(logits, 0f);
            mask.mask(logits);
            for (int id = 0; id < vocab; id++) {
                if (tokens.isBlank(id)) {
                    assertEquals(Float.NEGATIVE_INFINITY, logits[id], "blank token " + id + " right after a blank one");
                }
            }
            assertEquals(0f, logits[open]);
            mask.accept(open);
            Arrays.fill(logits, 0f);
            mask.mask(logits);
            assertEquals(0f, logits[space], "after '{' whitespace fits again");
        }
    }

    private static int find(Tokenizer tok, String piece) {
        for (int id = 0; id < tok.vocabSize(); id++) {
            if (tok.isText(id) && new String(tok.piece(id), StandardCharsets.UTF_8).equals(piece)) {
                return id;
            }
        }
        throw new AssertionError("no token '" + piece + "'");
    }
}
