package io.sinkserve.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Finds where the message contents landed in a rendered prompt, so that they can be tokenized as
 * plain text while the markup around them is parsed for special tokens. The template is rendered a
 * second time with each content's non-blank core wrapped in two marker characters (the surrounding
 * whitespace stays outside, so templates that trim contents render the same text); the markers'
 * positions are the content ranges. If that rendering differs from the real one, every occurrence of
 * every content is treated as literal instead: never an injected control token.
 */
final class MarkedContents {
    private MarkedContents() {
    }

    /** (start, end) pairs of {@code prompt} offsets, ascending and disjoint. */
    static int[] locate(ChatTemplate template, List<ChatMessage> messages, boolean addGenerationPrompt, String prompt) {
        char open = unusedChar('\uE000', template.source(), messages);
        char close = unusedChar((char) (open + 1), template.source(), messages);
        List<String> cores = new ArrayList<>();
        List<Map<String, Object>> turns = new ArrayList<>();
        for (ChatMessage m : messages) {
            String content = m.content();
            int start = 0;
            int end = content.length();
            while (start < end && blank(content.charAt(start))) {
                start++;
            }
            while (end > start && blank(content.charAt(end - 1))) {
                end--;
            }
            String core = content.substring(start, end);
            if (!core.isEmpty()) {
                cores.add(core);
                content = content.substring(0, start) + open + core + close + content.substring(end);
            }
            turns.add(ChatTemplate.turn(m.role(), content));
        }
        if (cores.isEmpty()) {
            return new int[0];
        }
        StringBuilder text = new StringBuilder(prompt.length());
        int[] ranges = parse(template.renderTurns(turns, addGenerationPrompt), open, close, cores, text);
        return text.toString().equals(prompt) ? ranges : everyOccurrence(prompt, cores);
    }

    /** Strips the markers into {@code text} and returns the ranges they enclosed. */
    static int[] parse(String marked, char open, char close, List<String> cores, StringBuilder text) {
        List<int[]> ranges = new ArrayList<>();
        int openAt = -1;
        int boundary = 0;
        for (int i = 0; i < marked.length(); i++) {
            char c = marked.charAt(i);
            if (c == open) {
                if (openAt >= 0) {
                    add(ranges, openAt, text.length());
                }
                openAt = text.length();
                boundary = openAt;
            } else if (c == close) {
                if (openAt >= 0) {
                    add(ranges, openAt, text.length());
                } else {
                    // the template cut the start off a content (e.g. split('</think>')[-1]): protect
                    // the longest tail that a content ends with
                    add(ranges, text.length() - longestCoreSuffix(text, boundary, cores), text.length());
                }
                openAt = -1;
                boundary = text.length();
            } else {
                text.append(c);
            }
        }
        if (openAt >= 0) {
            add(ranges, openAt, openAt + longestCorePrefix(text, openAt, cores));
        }
        return flatten(ranges);
    }

    private static int longestCoreSuffix(StringBuilder text, int from, List<String> cores) {
        int best = 0;
        for (String core : cores) {
            int k = 0;
            while (k < core.length() && text.length() - k > from
                    && text.charAt(text.length() - 1 - k) == core.charAt(core.length() - 1 - k)) {
                k++;
            }
            best = Math.max(best, k);
        }
        return best;
    }

    private static int longestCorePrefix(StringBuilder text, int from, List<String> cores) {
        int best = 0;
        for (String core : cores) {
            int k = 0;
            while (k < core.length() && from + k < text.length() && text.charAt(from + k) == core.charAt(k)) {
                k++;
            }
            best = Math.max(best, k);
        }
        return best;
    }

    private static int[] everyOccurrence(String prompt, List<String> cores) {
        boolean[] literal = new boolean[prompt.length()];
        for (String core : cores) {
            for (int at = prompt.indexOf(core); at >= 0; at = prompt.indexOf(core, at + 1)) {
                java.util.Arrays.fill(literal, at, at + core.length(), true);
            }
        }
        List<int[]> ranges = new ArrayList<>();
        for (int i = 0; i < literal.length; i++) {
            if (literal[i] && (i == 0 || !literal[i - 1])) {
                int end = i;
                while (end < literal.length && literal[end]) {
                    end++;
                }
                ranges.add(new int[] {i, end});
            }
        }
        return flatten(ranges);
    }

    private static void add(List<int[]> ranges, int start, int end) {
        if (end > start) {
            ranges.add(new int[] {start, end});
        }
    }

    private static int[] flatten(List<int[]> ranges) {
        int[] flat = new int[ranges.size() * 2];
        for (int i = 0; i < ranges.size(); i++) {
            flat[2 * i] = ranges.get(i)[0];
            flat[2 * i + 1] = ranges.get(i)[1];
        }
        return flat;
    }

    private static boolean blank(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c);
    }

    /** A private-use character that appears in neither the template nor any message. */
    private static char unusedChar(char from, String source, List<ChatMessage> messages) {
        for (char c = from; c < '\uF8FF'; c++) {
            String s = String.valueOf(c);
            if (!source.contains(s) && messages.stream().noneMatch(m -> m.content().contains(s))) {
                return c;
            }
        }
        throw new TemplateException("no free marker character to locate message contents");
    }
}
