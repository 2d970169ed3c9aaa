package io.sinkserve.bench;

import io.sinkserve.cache.KvStorage;
import io.sinkserve.model.CachedSequence;
import io.sinkserve.model.Model;
import io.sinkserve.testing.TestFiles;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ThroughputBenchTest {

    @Test
    void everyRepetitionStartsFromItsOwnCopyOfTheDepthsTokens() throws Exception {
        try (Model model = Model.load(TestFiles.stories260K(), 1);
             ThroughputBench bench = new ThroughputBench(model, KvStorage.F16, 1, 30)) {
            try (CachedSequence a = bench.start(8); CachedSequence b = bench.start(8)) {
                assertEquals(30, a.tokensSeen());
                assertEquals(30, b.tokensSeen());
                assertNotSame(a.cache(), b.cache());
                assertTrue(a.cache().capacity() >= 38, "room for the test's tokens");
                if (model.tokenizer().addBosByDefault()) {
                    assertEquals(model.tokenizer().bos(), a.recentTokens(64)[0]);
                }
            }
            try (CachedSequence bigger = bench.start(100)) {
                assertEquals(30, bigger.tokensSeen());
                assertTrue(bigger.cache().capacity() >= 130, "the context grows for a longer test");
            }
            assertTrue(bench.generationRate(4, 2) > 0);
            assertTrue(bench.promptRate(4) > 0);
        }
        try (Model model = Model.load(TestFiles.stories260K(), 1);
             ThroughputBench empty = new ThroughputBench(model, KvStorage.F32, 1, 0);
             CachedSequence s = empty.start(5)) {
            assertEquals(0, s.tokensSeen());
        }
        assertThrows(IllegalArgumentException.class, () -> new ThroughputBench(null, KvStorage.F32, 1, -1));
    }
}
