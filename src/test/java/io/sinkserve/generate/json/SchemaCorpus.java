package io.sinkserve.generate.json;

import java.util.List;

/** Schemas as real clients send them (OpenAI strict mode, Pydantic, LangChain), for the walk and the benchmark. */
final class SchemaCorpus {
    /** A typical extraction schema: nested object, enum, bounded numbers, arrays, an optional field. */
    static final String PERSON = """
            {"type":"object","additionalProperties":false,
             "properties":{
               "name":{"type":"string","minLength":1,"maxLength":40},
               "age":{"type":"integer","minimum":0,"maximum":150},
               "height_m":{"type":"number","exclusiveMinimum":0,"maximum":3},
               "email":{"type":["string","null"]},
               "role":{"enum":["admin","user","guest"]},
               "tags":{"type":"array","items":{"type":"string","maxLength":12},"minItems":1,"maxItems":4},
               "address":{"type":"object","additionalProperties":false,
                 "properties":{"city":{"type":"string"},"zip":{"type":"string","minLength":5,"maxLength":5}},
                 "required":["city","zip"]},
               "active":{"type":"boolean"}
             },
             "required":["name","age","role","tags","address","active"]}""";

    static final List<String> SCHEMAS = List.of(
            PERSON,
            """
            {"$defs":{"node":{"type":"object","properties":{"value":{"type":"integer","minimum":-5,"maximum":5},
              "children":{"type":"array","items":{"$ref":"#/$defs/node"},"maxItems":2}},"required":["value"],
              "additionalProperties":false}},
             "$ref":"#/$defs/node"}""",
            """
            {"type":"object","properties":{"answer":{"anyOf":[{"type":"string","maxLength":8},{"type":"number","minimum":10.5,"exclusiveMaximum":11}]},
              "extra":{"const":{"k":[1,"two",null]}}},"required":["answer","extra"],
             "additionalProperties":{"type":"integer","exclusiveMinimum":-3,"exclusiveMaximum":3}}""",
            """
            {"type":"array","items":{"type":"object","properties":{"id":{"type":"integer"},"ok":{"type":"boolean"}},
              "required":["id"]},"minItems":2,"maxItems":3}""",
            """
            {"definitions":{"Colour":{"title":"Colour","enum":["red","green","blue"],"type":"string"}},
             "title":"Paint","type":"object",
             "properties":{"colour":{"allOf":[{"$ref":"#/definitions/Colour"}],"description":"which"},
               "litres":{"type":"number","minimum":0.5,"maximum":20,"default":1}},
             "required":["colour","litres"]}""",
            """
            {"type":"object"}""");

    private SchemaCorpus() {
    }
}
