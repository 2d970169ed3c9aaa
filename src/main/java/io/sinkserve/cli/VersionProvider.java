package io.sinkserve.cli;

import picocli.CommandLine;

/** Version from the jar manifest, so it never drifts from the pom. */
final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = Main.class.getPackage().getImplementationVersion();
        return new String[] {"sinkserve " + (v == null ? "dev" : v) + " (Java " + Runtime.version() + ")"};
    }
}
