package io.sinkserve.tokenizer;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import jinjava.javax.el.CompositeELResolver;

import java.util.Map;

/**
 * One jinjava engine set up to render chat templates the way Hugging Face's Python Jinja2 sandbox does:
 * trim_blocks and lstrip_blocks on, {{- -}} whitespace control on expressions, Jinja2 operator
 * precedence for "not x is defined", Python string methods, Python-style tojson, the generation tag,
 * raise_exception and strftime_now.
 */
final class JinjaEnvironment {
    private static final Jinjava JINJAVA = create();

    private JinjaEnvironment() {
    }

    static RenderResult render(String template, Map<String, Object> context) {
        return JINJAVA.renderForResult(template, context);
    }

    private static Jinjava create() {
        LegacyOverrides overrides = LegacyOverrides.newBuilder()
                .withUseTrimmingForNotesAndExpressions(true)
                .withParseWhitespaceControlStrictly(true)
                .withUsePyishObjectMapper(true)
                .withKeepNullableLoopValues(true)
                .withEvaluateMapKeys(true)
                .withIterateOverMapKeys(true)
                .withHandleBackslashInQuotesOnly(true)
                .build();
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PythonStringMethods());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_WRITE);
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withLegacyOverrides(overrides)
                .withElResolver(resolver)
                .build();
        Jinjava jinjava = new Jinjava(config);
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception",
                TemplateFunctions.class, "raiseException", String.class));
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "strftime_now",
                TemplateFunctions.class, "strftimeNow", String.class));
        jinjava.getGlobalContext().registerFilter(new ToJsonFilter());
        jinjava.getGlobalContext().registerTag(new GenerationTag());
        return jinjava;
    }
}
