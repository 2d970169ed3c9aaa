package io.sinkserve.cache;

public enum KvStorage { F32, F16 }
