package io.sinkserve.compute;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * Off-heap memory for repacked weights and KV caches, on transparent huge pages where the OS offers them:
 * decode streams every weight (and attention every cached key and value) once per token, on 4 KiB pages a
 * TLB miss every 4 KiB. Linux's default THP mode ({@code madvise}) gives 2 MiB pages only to mappings that ask,
 * so this maps anonymous memory itself and asks ({@code madvise(MADV_HUGEPAGE)}) before the first touch.
 * Elsewhere, or if a call fails, the arena allocates as usual. Either way the memory goes with its arena.
 */
public final class HugePages {
    private static final long HUGE = 2L << 20;
    private static final int PROT_READ_WRITE = 0x1 | 0x2;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x02 | 0x20;
    private static final int MADV_HUGEPAGE = 14;
    /** Below this the rounding to whole huge pages would cost more than it saves. */
    private static final long MIN_BYTES = 4 * HUGE;

    /** {@code -Dsinkserve.hugepages=false} turns the request off (plain 4 KiB pages). */
    private static final Calls CALLS = Boolean.parseBoolean(System.getProperty("sinkserve.hugepages", "true"))
            ? Calls.find().orElse(null) : null;

    private HugePages() {
    }

    /** {@code bytes} of zeroed memory, 64-byte aligned at least, freed once unreachable. */
    static MemorySegment allocate(long bytes) {
        return allocate(bytes, Arena.ofAuto());
    }

    /** {@code bytes} of zeroed memory, 64-byte aligned at least, freed when {@code arena} closes. */
    public static MemorySegment allocate(long bytes, Arena arena) {
        if (CALLS != null && bytes >= MIN_BYTES) {
            MemorySegment mapped = CALLS.map(bytes, arena);
            if (mapped != null) {
                return mapped;
            }
        }
        return arena.allocate(bytes, 64);
    }

    private record Calls(MethodHandle mmap, MethodHandle madvise, MethodHandle munmap) {
        static Optional<Calls> find() {
            if (!System.getProperty("os.name", "").startsWith("Linux")) {
                return Optional.empty();
            }
            try {
                Linker linker = Linker.nativeLinker();
                var libc = linker.defaultLookup();
                MethodHandle mmap = linker.downcallHandle(libc.find("mmap").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
                MethodHandle madvise = linker.downcallHandle(libc.find("madvise").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                                ValueLayout.JAVA_INT));
                MethodHandle munmap = linker.downcallHandle(libc.find("munmap").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
                return Optional.of(new Calls(mmap, madvise, munmap));
            } catch (RuntimeException | LinkageError e) {
                // no native access (e.g. a restricted runtime): plain allocation still works
                return Optional.empty();
            }
        }

        /**
         * A mapping of whole huge pages, aligned to one (so every page of it can be huge), unmapped when
         * {@code arena} closes; null if a call fails.
         */
        MemorySegment map(long bytes, Arena arena) {
            long length = (bytes + HUGE - 1) / HUGE * HUGE;
            try {
                // map one huge page more, so that an aligned start exists inside the mapping
                MemorySegment raw = (MemorySegment) mmap.invokeExact(MemorySegment.NULL, length + HUGE,
                        PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS, -1, 0L);
                long base = raw.address();
                if (base == -1L) {
                    return null;
                }
                long aligned = (base + HUGE - 1) / HUGE * HUGE;
                int advised = (int) madvise.invokeExact(MemorySegment.ofAddress(aligned), length, MADV_HUGEPAGE);
                if (advised != 0) {
                    unmap(base, length + HUGE);
                    return null;
                }
                return MemorySegment.ofAddress(aligned).reinterpret(bytes, arena, s -> unmap(base, length + HUGE));
            } catch (Throwable e) {
                return null;
            }
        }

        private void unmap(long base, long length) {
            try {
                int ignored = (int) munmap.invokeExact(MemorySegment.ofAddress(base), length);
            } catch (Throwable e) {
                throw new IllegalStateException("munmap failed", e);
            }
        }
    }
}
