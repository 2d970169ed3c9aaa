package io.sinkserve.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Help reads as sentences: picocli wraps each description element to the terminal, so an element that stops in
 * the middle of a sentence (a hard line break in the source) shows as a cut line in --help and in the command
 * list of {@code ./sinkserve --help}.
 */
class HelpTextTest {
    @Test
    void noDescriptionLineOfAnyCommandEndsMidSentence() {
        List<String> cut = new ArrayList<>();
        List<CommandLine> all = commands(SinkserveCommand.commandLine());
        assertTrue(all.size() > 10, "commands: " + all.size());
        for (CommandLine cl : all) {
            CommandSpec spec = cl.getCommandSpec();
            check(spec.qualifiedName() + " description", spec.usageMessage().description(), cut);
            for (ArgSpec arg : spec.args()) {
                check(spec.qualifiedName() + " " + (arg.isOption() ? ((CommandLine.Model.OptionSpec) arg).longestName()
                        : arg.paramLabel()), arg.description(), cut);
            }
        }
        assertEquals(List.of(), cut);
    }

    /** Every element but the last must end a sentence, and the next must not carry on in lower case. */
    private static void check(String where, String[] lines, List<String> cut) {
        for (int i = 0; i < lines.length; i++) {
            String line = paragraph(lines[i]);
            if (line.contains("\n") || line.contains("%n")) {
                cut.add(where + ": a line break inside \"" + line + "\"");
            }
            if (i + 1 < lines.length) {
                String next = paragraph(lines[i + 1]);
                boolean ends = line.endsWith(".") || line.endsWith(":") || line.endsWith("!") || line.endsWith("?");
                if (!ends || (!next.isEmpty() && Character.isLowerCase(next.charAt(0)))) {
                    cut.add(where + ": \"" + line + "\" / \"" + next + "\"");
                }
            }
        }
    }

    /** The text of an element without the blank lines (%n) picocli's own help command puts around paragraphs. */
    private static String paragraph(String element) {
        return element.strip().replaceAll("^(%n)+|(%n)+$", "").strip();
    }

    private static List<CommandLine> commands(CommandLine root) {
        List<CommandLine> out = new ArrayList<>(List.of(root));
        root.getSubcommands().values().forEach(sub -> out.addAll(commands(sub)));
        return out;
    }
}
