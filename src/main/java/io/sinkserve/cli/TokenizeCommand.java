package io.sinkserve.cli;

import io.sinkserve.gguf.GGUFFile;
import io.sinkserve.tokenizer.Tokenizer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code tokenize}: shows how a model's tokenizer splits a text. */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = {"Print the token ids and pieces of a text, using the tokenizer stored in a GGUF model.",
                "Example: ./sinkserve tokenize model.gguf \"Once upon a time\""})
public final class TokenizeCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "GGUF file (a vocab-only GGUF works too)")
    Path model;

    @Parameters(index = "1", paramLabel = "TEXT", arity = "0..1", description = "text to tokenize (or use --file)")
    String text;

    @Option(names = "--file", paramLabel = "PATH", description = "read the text from a UTF-8 file instead")
    Path file;

    @Option(names = "--no-bos", description = "do not prepend BOS (by default it is added when the model wants it)")
    boolean noBos;

    @Option(names = "--special", description = "parse special-token texts such as <|eot_id|> as special tokens")
    boolean special;

    @Option(names = "--count", description = "print only the number of tokens (and the time taken, on stderr)")
    boolean count;

    @Override
    public Integer call() throws IOException {
        if ((text == null) == (file == null)) {
            throw new IllegalArgumentException("give either TEXT or --file PATH");
        }
        String input = text != null ? text : Files.readString(file, StandardCharsets.UTF_8);
        Tokenizer tok;
        try (GGUFFile gguf = GGUFFile.open(model)) {
            tok = Tokenizer.fromGGUF(gguf.metadata());
        }
        long start = System.nanoTime();
        int[] ids = tok.encode(input, !noBos, special);
        double seconds = (System.nanoTime() - start) / 1e9;
        PrintWriter out = spec.commandLine().getOut();
        if (count) {
            out.println(ids.length);
            spec.commandLine().getErr().printf("%d chars -> %d tokens in %.3f s%n", input.length(), ids.length, seconds);
            return 0;
        }
        for (int id : ids) {
            out.printf("%7d  %s%n", id, piece(tok, id));
        }
        out.flush();
        return 0;
    }

    /** The text a token stands for, quoted; the raw vocabulary entry when that is not whole UTF-8 (or a control token). */
    private static String piece(Tokenizer tok, int id) {
        byte[] bytes = tok.piece(id);
        if (bytes.length == 0) {
            return tok.tokenText(id);
        }
        try {
            String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
            return "'" + s.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r") + "'";
        } catch (CharacterCodingException e) {
            return tok.tokenText(id);
        }
    }
}
