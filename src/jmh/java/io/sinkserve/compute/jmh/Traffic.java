package io.sinkserve.compute.jmh;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/** A JMH counter of the gigabytes a benchmark moved, reported beside ops/s (so GB/s is read off directly). */
@AuxCounters(AuxCounters.Type.OPERATIONS)
@State(Scope.Thread)
public class Traffic {
    public double gigabytes;
}
