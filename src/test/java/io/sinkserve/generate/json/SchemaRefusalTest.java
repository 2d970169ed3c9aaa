package io.sinkserve.generate.json;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Keywords outside the subset, malformed values and unsatisfiable schemas are refused, naming keyword and pointer. */
class SchemaRefusalTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "{'type':'object','properties':{'when':{'type':'string','format':'date-time'}}} | format | /properties/when",
            "{'type':'string','pattern':'^a+$'} | pattern | ''",
            "{'oneOf':[{'type':'string'},{'type':'integer'}]} | oneOf | ''",
            "{'not':{'type':'string'}} | not | ''",
            "{'if':{'type':'string'},'then':{'minLength':1}} | if | ''",
            "{'type':'number','multipleOf':0.5} | multipleOf | ''",
            "{'type':'object','minProperties':1} | minProperties | ''",
            "{'type':'object','patternProperties':{'^x':{}}} | patternProperties | ''",
            "{'type':'array','prefixItems':[{'type':'string'}]} | prefixItems | ''",
            "{'type':'array','items':[{'type':'string'}]} | items | ''",
            "{'type':'array','uniqueItems':true} | uniqueItems | ''",
            "{'type':'array','items':{'contains':{'type':'integer'}}} | contains | /items",
            "{'type':'object','properties':{'a/b':{'nullable':true}}} | nullable | /properties/a~1b",
            "{'$ref':'https://example.com/schema.json'} | $ref | ''",
            "{'$ref':'#/$defs/missing'} | $ref | ''",
            "{'allOf':[{'type':'string'},{'minLength':1}]} | allOf | ''",
            "{'$ref':'#/$defs/a','type':'object','$defs':{'a':{}}} | type | ''",
            "{'anyOf':[{'type':'string'}],'minLength':2} | minLength | ''",
            "{'type':'sound'} | type | ''",
            "{'type':'string','maxLength':-1} | maxLength | ''",
            "{'type':'integer','minimum':'0'} | minimum | ''",
            "{'type':'integer','exclusiveMinimum':true,'minimum':0} | exclusiveMinimum | ''",
            "{'$defs':{'a':{'$ref':'#/$defs/b'},'b':{'$ref':'#/$defs/a'}},'$ref':'#/$defs/a'} | $ref | ''"})
    void refusesNamingKeywordAndPointer(String schema, String keyword, String pointer) {
        UnsupportedSchemaException e = assertThrows(UnsupportedSchemaException.class,
                () -> JsonGrammar.fromSchema(SchemaValidator.parse(schema.replace('\'', '"'))));
        assertEquals(keyword, e.keyword(), e.getMessage());
        assertEquals(pointer, e.pointer(), e.getMessage());
        assertTrue(e.getMessage().contains("'" + keyword + "'") && e.getMessage().contains("#" + pointer), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "{'type':'integer','minimum':5,'maximum':4}",
            "{'type':'string','minLength':3,'maxLength':2}",
            "{'type':'string','enum':[1,2]}",
            "{'enum':[]}",
            "false",
            "{'type':'object','properties':{'a':{'$ref':'#'}},'required':['a']}",
            "{'type':'number','exclusiveMinimum':1,'exclusiveMaximum':1}"})
    void refusesSchemasNoValueSatisfies(String schema) {
        UnsupportedSchemaException e = assertThrows(UnsupportedSchemaException.class,
                () -> JsonGrammar.fromSchema(SchemaValidator.parse(schema.replace('\'', '"'))));
        assertNull(e.keyword());
        assertTrue(e.getMessage().contains("no JSON value satisfies"), e.getMessage());
    }

    @Test
    void refusesSchemasNestedDeeperThanTheLimit() {
        String deep = "{'type':'array','minItems':1,'items':".repeat(ParseState.MAX_FRAMES) + "{'type':'null'}"
                + "}".repeat(ParseState.MAX_FRAMES);
        assertThrows(UnsupportedSchemaException.class, () -> JsonGrammar.fromSchema(SchemaValidator.parse(deep.replace('\'', '"'))));
    }
}
