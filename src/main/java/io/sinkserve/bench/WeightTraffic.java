package io.sinkserve.bench;

import io.sinkserve.gguf.GGUFFile;
import io.sinkserve.gguf.TensorInfo;

/**
 * Bytes of weights one decode step reads: every tensor once, except that the token embedding contributes a
 * single row when the model has a separate output matrix (with tied embeddings it is the output matrix and
 * is read whole). Times tokens/s this is the effective weight bandwidth of decode, which is memory-bound.
 */
public final class WeightTraffic {
    private static final String EMBEDDING = "token_embd.weight";
    private static final String OUTPUT = "output.weight";

    private WeightTraffic() {
    }

    public static long bytesPerDecodeToken(GGUFFile file) {
        boolean tied = file.tensor(OUTPUT) == null;
        long bytes = 0;
        for (TensorInfo t : file.tensors()) {
            if (t.name().equals(EMBEDDING) && !tied) {
                long rows = t.shape().length > 1 ? t.shape()[1] : 1;
                bytes += t.byteSize() / rows;
            } else {
                bytes += t.byteSize();
            }
        }
        return bytes;
    }
}
