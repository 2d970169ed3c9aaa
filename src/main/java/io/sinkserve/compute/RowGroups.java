package io.sinkserve.compute;

/**
 * A matrix whose rows {@link GroupedGemm} takes {@link GroupedMatrix#ROWS} at a time, the group's rows in vector lanes:
 * it decodes a group's columns into a k-major float panel.
 */
interface RowGroups {
    int rows();

    int cols();

    /** Floats of working space {@link #decodePanel} needs. */
    int panelScratch();

    /**
     * Decodes columns {@code [k0, k0 + kc)} (whole blocks) of rows {@code group * ROWS ..} into
     * {@code panel[k * ROWS + lane]} (k from 0), the values {@link WeightMatrix#dequantize} gives, lanes past the
     * last row zero; {@code scratch} holds at least {@link #panelScratch} floats.
     */
    void decodePanel(int group, int k0, int kc, float[] scratch, float[] panel);
}
