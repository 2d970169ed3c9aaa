package io.sinkserve.tokenizer;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.objects.date.StrftimeFormatter;

import java.time.ZonedDateTime;
import java.util.Locale;

/**
 * The global functions Hugging Face makes available to chat templates. Public only because the
 * template engine calls them reflectively.
 */
public final class TemplateFunctions {
    /** Context variable holding the render's "now", so tests can fix the date a template prints. */
    static final String NOW = "__sinkserve_now";

    private TemplateFunctions() {
    }

    /** Thrown through the template engine; {@link ChatTemplate} turns it into a {@link TemplateException}. */
    static final class Raised extends RuntimeException {
        Raised(String message) {
            super(message);
        }
    }

    public static String raiseException(String message) {
        throw new Raised(message);
    }

    /** Python's {@code datetime.now().strftime(format)}. */
    public static String strftimeNow(String format) {
        ZonedDateTime now = (ZonedDateTime) JinjavaInterpreter.getCurrent().getContext().get(NOW);
        return StrftimeFormatter.format(now, format, Locale.ENGLISH);
    }
}
