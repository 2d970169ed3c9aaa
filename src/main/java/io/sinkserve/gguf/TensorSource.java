package io.sinkserve.gguf;

import java.lang.foreign.MemorySegment;
import java.util.function.Function;

/**
 * Produces tensor bytes for {@link GGUFWriter}, a range of rows at a time, so that tensors of any size
 * stream to disk through a small buffer. A row is {@code shape[0]} elements.
 */
@FunctionalInterface
public interface TensorSource {
    /**
     * Fills {@code dst} (exactly {@code rows} rows, in the tensor's type) with rows
     * {@code firstRow .. firstRow + rows - 1} of {@code tensor}.
     */
    void fill(TensorInfo tensor, long firstRow, long rows, MemorySegment dst);

    /** A source that copies from whole tensors already in memory or mapped, e.g. another GGUFFile's data. */
    static TensorSource copyOf(Function<TensorInfo, MemorySegment> whole) {
        return (tensor, firstRow, rows, dst) -> {
            MemorySegment src = whole.apply(tensor);
            if (src.byteSize() != tensor.byteSize()) {
                throw new IllegalArgumentException("tensor " + tensor.name() + " has " + src.byteSize()
                        + " bytes, its type and shape need " + tensor.byteSize());
            }
            long rowBytes = tensor.rowBytes();
            MemorySegment.copy(src, firstRow * rowBytes, dst, 0, rows * rowBytes);
        };
    }
}
