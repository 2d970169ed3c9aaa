package io.sinkserve.gguf;

import io.sinkserve.compute.TensorType;

import java.util.Arrays;

/**
 * One tensor's entry in a GGUF file. {@code shape} is in ggml order: shape[0] is the contiguous row
 * length, so a weight W[out][in] has shape {in, out}. {@code offset} is relative to the data section.
 */
public record TensorInfo(String name, TensorType type, long[] shape, long offset, long byteSize) {

    public long elements() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** Rows of {@code shape[0]} elements: the product of the other dimensions. */
    public long rows() {
        return elements() / shape[0];
    }

    /** Bytes one row of {@code shape[0]} elements takes in this tensor's type. */
    public long rowBytes() {
        return type.byteSize(shape[0]);
    }

    @Override
    public String toString() {
        return name + " " + type + " " + Arrays.toString(shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && name.equals(t.name) && type == t.type && Arrays.equals(shape, t.shape)
                && offset == t.offset && byteSize == t.byteSize;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }
}
