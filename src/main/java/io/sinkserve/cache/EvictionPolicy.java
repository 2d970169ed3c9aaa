package io.sinkserve.cache;

public enum EvictionPolicy { TOKEN, BATCH }
