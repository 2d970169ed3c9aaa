package io.sinkserve.store;

/** Receives the byte counts of a running download. */
public interface DownloadProgress {
    /** @param done bytes already on disk (a resumed download starts above 0); @param total -1 if unknown */
    void start(long done, long total);

    void advance(long done);

    void finish(long done);

    DownloadProgress NONE = new DownloadProgress() {
        @Override
        public void start(long done, long total) {
        }

        @Override
        public void advance(long done) {
        }

        @Override
        public void finish(long done) {
        }
    };
}
