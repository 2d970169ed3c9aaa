package io.sinkserve.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SummaryTest {
    @Test
    void meanSampleDeviationAndMedianOfAnEvenCount() {
        Summary s = Summary.of(new double[] {4, 1, 3, 2});
        assertEquals(4, s.count());
        assertEquals(2.5, s.mean(), 1e-12);
        assertEquals(Math.sqrt(5.0 / 3.0), s.sd(), 1e-12);
        assertEquals(2.5, s.median(), 1e-12);
        assertEquals(1, s.min());
        assertEquals(4, s.max());
    }

    @Test
    void medianOfAnOddCountIsTheMiddleValueAndOneSampleHasNoSpread() {
        assertEquals(10, Summary.of(new double[] {100, 10, 1}).median());
        Summary one = Summary.of(new double[] {7});
        assertEquals(7, one.mean());
        assertEquals(0, one.sd());
        assertThrows(IllegalArgumentException.class, () -> Summary.of(new double[0]));
    }
}
